// MXNet's EvalMetric (1.6+): a running sum and instance count, kept twice — "local" statistics that
// resetLocal() clears (Speedometer's per-interval values) and "global" ones that only reset()
// clears (the epoch's value). get() reads the local pair, getGlobal() the global one.

import { type NDArray, ValueError } from '@bkt/ndarray';

/** One array or a list of them (one per output / label). */
export type ArrayList = NDArray | readonly NDArray[];
/** Arrays by name, in output / label order. */
export type NamedArrays = ReadonlyMap<string, NDArray> | Readonly<Record<string, NDArray>>;
export type NameValue = [string, number];
/** `[name, value]`, or `[names, values]` for a composite metric. */
export type MetricResult = [string, number] | [string[], number[]];

/** A metric config as getConfig() writes it: the registered name under `metric`, options beside it. */
export interface MetricConfig {
  metric: string;
  [option: string]: unknown;
}

export interface MetricOptions {
  name?: string;
  /** Outputs used by updateDict, in this order (default: all). */
  outputNames?: readonly string[] | null;
  /** Labels used by updateDict, in this order (default: all). */
  labelNames?: readonly string[] | null;
}

export function asList(x: ArrayList): readonly NDArray[] {
  return Array.isArray(x) ? (x as readonly NDArray[]) : [x as NDArray];
}

/** MXNet's check_label_shapes: as many labels as predictions (each wrapped into a list). */
export function checkLabelShapes(labels: ArrayList, preds: ArrayList): [readonly NDArray[], readonly NDArray[]] {
  const l = asList(labels);
  const p = asList(preds);
  if (l.length !== p.length) throw new ValueError(`Shape of labels ${l.length} does not match shape of predictions ${p.length}`);
  return [l, p];
}

function values(named: NamedArrays, names: readonly string[] | null, what: string): NDArray[] {
  const get = (k: string): NDArray | undefined =>
    named instanceof Map ? named.get(k) : Object.hasOwn(named, k) ? (named as Readonly<Record<string, NDArray>>)[k] : undefined;
  if (names === null)
    return named instanceof Map ? [...named.values()] : Object.values(named as Readonly<Record<string, NDArray>>);
  return names.map((k) => {
    const a = get(k);
    if (a === undefined) throw new ValueError(`updateDict: no ${what} named '${k}'`);
    return a;
  });
}

export abstract class EvalMetric {
  name: string;
  readonly outputNames: readonly string[] | null;
  readonly labelNames: readonly string[] | null;
  /** Whether global statistics are kept apart from the local ones. */
  readonly hasGlobalStats: boolean;
  sumMetric = 0;
  numInst = 0;
  globalSumMetric = 0;
  globalNumInst = 0;
  /** Constructor arguments, for getConfig. */
  protected readonly kwargs: Record<string, unknown>;

  constructor(name: string, opts: MetricOptions = {}, kwargs: Record<string, unknown> = {}, hasGlobalStats = false) {
    this.name = String(name);
    this.outputNames = opts.outputNames ?? null;
    this.labelNames = opts.labelNames ?? null;
    this.kwargs = kwargs;
    this.hasGlobalStats = hasGlobalStats;
  }

  /** Adds a batch's labels and predictions. */
  abstract update(labels: ArrayList, preds: ArrayList): void;

  /** update() with the labels and outputs picked by name (labelNames / outputNames). */
  updateDict(labels: NamedArrays, preds: NamedArrays): void {
    this.update(values(labels, this.labelNames, 'label'), values(preds, this.outputNames, 'output'));
  }

  /** Adds to the local and the global statistics. */
  protected accumulate(sum: number, num: number): void {
    this.sumMetric += sum;
    this.numInst += num;
    this.globalSumMetric += sum;
    this.globalNumInst += num;
  }

  /** Clears local and global statistics. */
  reset(): void {
    this.sumMetric = 0;
    this.numInst = 0;
    this.globalSumMetric = 0;
    this.globalNumInst = 0;
  }

  /** Clears the local statistics only. */
  resetLocal(): void {
    this.sumMetric = 0;
    this.numInst = 0;
  }

  /** The local value: sum / count, NaN before any instance. */
  get(): MetricResult {
    return [this.name, this.numInst === 0 ? NaN : this.sumMetric / this.numInst];
  }

  /** The global value (the local one when the metric keeps no global statistics). */
  getGlobal(): MetricResult {
    if (!this.hasGlobalStats) return this.get();
    return [this.name, this.globalNumInst === 0 ? NaN : this.globalSumMetric / this.globalNumInst];
  }

  getNameValue(): NameValue[] {
    return zipResult(this.get());
  }

  getGlobalNameValue(): NameValue[] {
    return zipResult(this.getGlobal());
  }

  /** The constructor arguments with the class name under `metric` (create() accepts it back). */
  getConfig(): MetricConfig {
    return {
      ...this.kwargs,
      metric: this.constructor.name,
      name: this.name,
      outputNames: this.outputNames,
      labelNames: this.labelNames,
    };
  }

  toString(): string {
    return `EvalMetric: {${this.getNameValue()
      .map(([k, v]) => `'${k}': ${v}`)
      .join(', ')}}`;
  }
}

export function zipResult([name, value]: MetricResult): NameValue[] {
  const names = Array.isArray(name) ? name : [name];
  const vals = Array.isArray(value) ? value : [value];
  return names.map((n, i) => [n, vals[i]!]);
}
