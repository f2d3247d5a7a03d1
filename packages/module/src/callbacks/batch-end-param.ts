// What fit() and score() hand their callbacks (MXNet's BatchEndParam and the epoch-end signature),
// and helpers to call one callback or a list of them.

import type { NDArray } from '@bkt/ndarray';
import type { EvalMetric } from '../metrics/eval-metric.js';

export interface BatchEndParam {
  /** 0-based epoch. */
  epoch: number;
  /** 0-based batch number within the epoch (score's end callback gets the number of batches run). */
  nbatch: number;
  evalMetric: EvalMetric | null | undefined;
  /** The caller's state, for callbacks that need more (MXNet passed Python's locals()). */
  locals?: Readonly<Record<string, unknown>>;
}

export type BatchEndFn = (param: BatchEndParam) => void;
/** A function, or an object with call() (Speedometer, ProgressBar …). */
export type BatchEndCallback = BatchEndFn | { call(param: BatchEndParam): void };

/** Anything save() can write as `<prefix>-symbol.json` (a @bkt/symbol Symbol). */
export interface SavableSymbol {
  save(path: string): void;
}

export type EpochEndFn = (
  epoch: number,
  symbol: SavableSymbol | null | undefined,
  argParams: Readonly<Record<string, NDArray>>,
  auxParams: Readonly<Record<string, NDArray>>,
) => void;
export type EpochEndCallback = EpochEndFn | { call: EpochEndFn };

type OneOrMany<T> = T | readonly T[] | null | undefined;

const list = <T>(x: OneOrMany<T>): readonly T[] =>
  x === null || x === undefined ? [] : Array.isArray(x) ? (x as readonly T[]) : [x as T];

/** Calls every batch-end callback with `param`. */
export function callBatchEnd(callbacks: OneOrMany<BatchEndCallback>, param: BatchEndParam): void {
  for (const cb of list(callbacks)) {
    if (typeof cb === 'function') cb(param);
    else cb.call(param);
  }
}

/** Calls every epoch-end callback. */
export function callEpochEnd(
  callbacks: OneOrMany<EpochEndCallback>,
  epoch: number,
  symbol: SavableSymbol | null | undefined,
  argParams: Readonly<Record<string, NDArray>>,
  auxParams: Readonly<Record<string, NDArray>>,
): void {
  for (const cb of list(callbacks)) {
    if (typeof cb === 'function') cb(epoch, symbol, argParams, auxParams);
    else cb.call(epoch, symbol, argParams, auxParams);
  }
}
