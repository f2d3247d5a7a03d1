// MXNet's mx.monitor.Monitor: statistics of every array an executor computes (node outputs, backward
// ones included; inputs too with monitorAll) plus its arguments and aux states, every `interval`
// batches, for debugging a training run.

import type { Executor } from '@bkt/executor';
import { divide, type NDArray, norm, ValueError } from '@bkt/ndarray';
import { defaultLogger, float32Str, type Logger } from '../callbacks/format.js';
import type { MonitorLike } from '../module/types.js';

/** Turns a monitored array into its statistic(s). */
export type StatFunc = (x: NDArray) => NDArray | readonly NDArray[];

export interface MonitorOptions {
  /** Default: norm(x) / sqrt(x.size), the root mean square. */
  statFunc?: StatFunc | null;
  /** Arrays whose names match at the start (Python's re.match); default '.*'. */
  pattern?: string | RegExp;
  /** Sort the results of toc() by name. */
  sort?: boolean;
  /** Also report each node's inputs (executors call back before and after each node). */
  monitorAll?: boolean;
  logger?: Logger;
}

/** One result of toc(): the step, the array's name and its statistic(s) as text. */
export type MonitorResult = [step: number, name: string, stat: string];

/** The root mean square of the elements (MXNet's default statistic). */
export const rmsStat: StatFunc = (x) => {
  const n = norm(x);
  try {
    return divide(n, Math.sqrt(x.size));
  } finally {
    n.dispose();
  }
};

export class Monitor implements MonitorLike {
  readonly interval: number;
  readonly statFunc: StatFunc;
  readonly sort: boolean;
  readonly monitorAll: boolean;
  readonly exes: Executor[] = [];
  /** Batches seen by tic(). */
  step = 0;
  /** Whether the current batch is being collected. */
  activated = false;
  readonly #pattern: RegExp;
  readonly #logger: Logger;
  #queue: [number, string, NDArray | readonly NDArray[]][] = [];

  constructor(interval: number, opts: MonitorOptions = {}) {
    if (!Number.isInteger(interval) || interval < 1)
      throw new ValueError(`Monitor: interval must be a positive integer, got ${interval}`);
    this.interval = interval;
    this.statFunc = opts.statFunc ?? rmsStat;
    this.sort = opts.sort ?? false;
    this.monitorAll = opts.monitorAll ?? false;
    this.#pattern = anchored(opts.pattern ?? '.*');
    this.#logger = opts.logger ?? defaultLogger;
  }

  /** Registers the monitor's callback on `exe` (several executors may share one monitor). */
  install(exe: Executor): void {
    exe.setMonitorCallback((name, array) => {
      if (this.activated && this.#pattern.test(name)) this.#push(name, array);
    }, this.monitorAll);
    this.exes.push(exe);
  }

  /** Starts collecting if this batch is one of every `interval`; call before forward. */
  tic(): void {
    if (this.step % this.interval === 0) {
      this.#clear();
      this.activated = true;
    }
    this.step += 1;
  }

  /**
   * Stops collecting and returns what this batch gave, followed by every matching argument and aux
   * state of the installed executors; [] when the batch was not collected.
   */
  toc(): MonitorResult[] {
    if (!this.activated) return [];
    for (const exe of this.exes) {
      for (const dict of [exe.argDict, exe.auxDict]) {
        for (const [name, array] of Object.entries(dict)) {
          if (this.#pattern.test(name)) this.#push(name, array);
        }
      }
    }
    this.activated = false;
    // Array.prototype.sort is stable, like Python's list.sort: equal names keep executor order.
    if (this.sort) this.#queue.sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    const res = this.#queue.map(([step, name, stat]): MonitorResult => [step, name, statText(stat)]);
    this.#clear();
    return res;
  }

  /** toc(), logged one line per result. */
  tocPrint(): void {
    for (const [step, name, stat] of this.toc()) this.#logger(`Batch: ${String(step).padStart(7)} ${name.padEnd(30)} ${stat}`);
  }

  // The queue owns (and later frees) its statistics, so a statistic that is the array itself is copied:
  // the executor keeps the original, and an intermediate's memory is reused by later nodes.
  #push(name: string, array: NDArray): void {
    const stat = this.statFunc(array);
    const owned = Array.isArray(stat) ? stat.map((v) => (v === array ? v.copy() : v)) : stat === array ? array.copy() : stat;
    this.#queue.push([this.step, name, owned as NDArray | readonly NDArray[]]);
  }

  #clear(): void {
    for (const [, , stat] of this.#queue) for (const a of asList(stat)) a.dispose();
    this.#queue = [];
  }
}

function anchored(pattern: string | RegExp): RegExp {
  const source = typeof pattern === 'string' ? pattern : pattern.source;
  const flags = typeof pattern === 'string' ? '' : pattern.flags.replace(/[gy]/g, '');
  try {
    return new RegExp(`^(?:${source})`, flags);
  } catch (e) {
    throw new ValueError(`Monitor: invalid pattern ${JSON.stringify(source)}: ${(e as Error).message}`);
  }
}

const asList = (stat: NDArray | readonly NDArray[]): readonly NDArray[] => (Array.isArray(stat) ? stat : [stat as NDArray]);

// As MXNet: a one-element statistic prints as a scalar, anything else as its array, each followed by a tab.
function statText(stat: NDArray | readonly NDArray[]): string {
  return asList(stat)
    .map((v) => `${v.size === 1 && v.shape.length === 1 ? float32Str(v.asScalar()) : arrayText(v.toArray(), v.shape)}\t`)
    .join('');
}

function arrayText(values: readonly number[], shape: readonly number[]): string {
  if (shape.length === 0) return float32Str(values[0]!);
  const [n, ...rest] = shape;
  const inner = rest.reduce((p, d) => p * d, 1);
  const parts = Array.from({ length: n! }, (_, i) => arrayText(values.slice(i * inner, (i + 1) * inner), rest));
  return `[${parts.join(rest.length === 0 ? ' ' : '\n')}]`;
}
