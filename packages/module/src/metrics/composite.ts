// MXNet's CompositeEvalMetric: several metrics updated together; get() returns their names and
// values as two lists.

import { IndexError, type NDArray } from '@bkt/ndarray';
import { create, type MetricSpec } from './create.js';
import {
  type ArrayList,
  EvalMetric,
  type MetricConfig,
  type MetricOptions,
  type MetricResult,
  type NamedArrays,
} from './eval-metric.js';

function pickNamed(named: NamedArrays, names: readonly string[] | null): NamedArrays {
  if (names === null) return named;
  const entries: [string, NDArray][] =
    named instanceof Map ? [...named.entries()] : Object.entries(named as Readonly<Record<string, NDArray>>);
  return new Map(entries.filter(([k]) => names.includes(k)));
}

export class CompositeEvalMetric extends EvalMetric {
  readonly metrics: EvalMetric[];

  constructor(metrics: readonly MetricSpec[] = [], opts: MetricOptions = {}) {
    super(opts.name ?? 'composite', opts, {}, false);
    this.metrics = metrics.map((m) => create(m));
  }

  add(metric: MetricSpec): void {
    this.metrics.push(create(metric));
  }

  getMetric(index: number): EvalMetric {
    const m = this.metrics[index];
    if (m === undefined)
      throw new IndexError(`CompositeEvalMetric: metric index ${index} is out of range 0 and ${this.metrics.length}`);
    return m;
  }

  override updateDict(labels: NamedArrays, preds: NamedArrays): void {
    const l = pickNamed(labels, this.labelNames);
    const p = pickNamed(preds, this.outputNames);
    for (const m of this.metrics) m.updateDict(l, p);
  }

  update(labels: ArrayList, preds: ArrayList): void {
    for (const m of this.metrics) m.update(labels, preds);
  }

  override reset(): void {
    for (const m of this.metrics) m.reset();
  }

  override resetLocal(): void {
    for (const m of this.metrics) m.resetLocal();
  }

  private collect(global: boolean): MetricResult {
    const names: string[] = [];
    const values: number[] = [];
    for (const m of this.metrics) {
      const [n, v] = global ? m.getGlobal() : m.get();
      names.push(...(Array.isArray(n) ? n : [n]));
      values.push(...(Array.isArray(v) ? v : [v]));
    }
    return [names, values];
  }

  override get(): MetricResult {
    return this.collect(false);
  }

  override getGlobal(): MetricResult {
    return this.collect(true);
  }

  override getConfig(): MetricConfig {
    return { ...super.getConfig(), metrics: this.metrics.map((m) => m.getConfig()) };
  }
}
