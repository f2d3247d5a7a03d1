// What a command shows and logs per epoch of fitAsync — training perplexity, real (non-padding)
// tokens and samples per second, validation perplexity — gathered from fit's callbacks, which run on
// rank 0 only. lm and seq2seq both train this way; each says what to do once an epoch's parameters
// are final (checkpoint) and once its figures are complete (log line, JSONL record, report).

import {
  type BaseModule,
  type BatchEndCallback,
  type BatchEndParam,
  type DataBatch,
  type DataIter,
  type EpochEndCallback,
  type FitAsyncOptions,
  type FitEnd,
  Perplexity,
  Speedometer,
} from '@bkt/module';
import type { NDArray } from '@bkt/ndarray';
import { abortOnSigint } from './abort-on-sigint.js';
import { EpochSeededIter, replayShuffles } from './epoch-seeds.js';
import type { RunDisplay } from './progress.js';
import type { InitSpec } from './options.js';
import { initializerOf, type OptimizerChoice, optimizerParams } from './training-setup.js';

/** One finished epoch (0-based `epoch`); validPpl is null without validation data. */
export interface EpochResult {
  epoch: number;
  trainPpl: number;
  validPpl: number | null;
  tokens: number;
  samples: number;
  /** Training time (validation excluded). */
  seconds: number;
}

export interface EpochFiguresOptions {
  trainIter: DataIter & { numBatches: number };
  /** Validation data, or null when there is none. */
  validIter: (DataIter & { numBatches: number }) | null;
  /** Seeds each epoch's shuffles and dropout (EpochSeededIter). */
  seed: number;
  /** The padding label, not counted as a token. */
  invalidLabel: number;
  numEpoch: number;
  display: RunDisplay;
  /** After an epoch's parameters are synced, before validation (fit's epoch-end callback). */
  onTrained: (epoch: number) => void;
  /** When an epoch's figures are complete. */
  onEpoch: (r: EpochResult) => void;
}

/** The iterators and callbacks to hand fitAsync, and the metric it trains with. */
export interface EpochFigures {
  trainData: EpochSeededIter;
  evalData: EpochSeededIter | null;
  trainMetric: Perplexity;
  batchEndCallback: BatchEndCallback;
  epochEndCallback: EpochEndCallback;
  /** fit's eval-end callback (its validation perplexity). */
  evalEndCallback: BatchEndCallback;
  /** Call before fitAsync with its beginEpoch (later epochs start themselves). */
  startEpoch(epoch: number): void;
}

function countTokens(labels: readonly NDArray[], invalid: number): number {
  let n = 0;
  for (const l of labels) for (const v of l.toTypedArray()) if (v !== invalid) n += 1;
  return n;
}

export function epochFigures(o: EpochFiguresOptions): EpochFigures {
  const trainMetric = new Perplexity(o.invalidLabel);
  let tic = 0;
  let tokens = 0;
  let samples = 0;
  let seconds = 0;
  let trainPpl = NaN;
  const startEpoch = (epoch: number): void => {
    o.display.startEpoch(epoch, o.trainIter.numBatches);
    tic = performance.now();
    tokens = samples = 0;
  };
  const done = (epoch: number, validPpl: number | null): void => {
    o.onEpoch({ epoch, trainPpl, validPpl, tokens, samples, seconds });
    if (epoch + 1 < o.numEpoch) startEpoch(epoch + 1);
  };
  const evalData = o.validIter && o.validIter.numBatches > 0 ? new EpochSeededIter(o.validIter, o.seed, 1) : null;
  return {
    // counted as served: fit runs the batch-end callbacks after fetching the next batch
    trainData: new EpochSeededIter(o.trainIter, o.seed, 0, (batch) => (tokens += countTokens(batch.label, o.invalidLabel))),
    evalData,
    trainMetric,
    startEpoch,
    batchEndCallback: (p: BatchEndParam) => {
      samples += o.trainIter.batchSize - (p.locals!['batch'] as DataBatch).pad;
      o.display.batchEnd({ ...p, locals: { ...p.locals, tokens, samples } });
    },
    epochEndCallback: (epoch: number) => {
      seconds = (performance.now() - tic) / 1000;
      [[, trainPpl] = ['', NaN]] = trainMetric.getGlobalNameValue();
      o.display.stop();
      o.onTrained(epoch);
      if (!evalData) done(epoch, null);
    },
    evalEndCallback: (p: BatchEndParam) => {
      const [[, validPpl] = ['', NaN]] = p.evalMetric!.getNameValue();
      done(p.epoch, validPpl ?? NaN);
    },
  };
}

export interface FitRunOptions extends OptimizerChoice {
  beginEpoch: number;
  epochs: number;
  batchSize: number;
  dispBatches: number;
  init: InitSpec;
  kvstore: FitAsyncOptions['kvstore'];
  log: (message: string) => void;
  display: RunDisplay;
}

/**
 * Trains `mod` with fitAsync from `beginEpoch` (replaying the earlier epochs' shuffles first), with the
 * figures' iterators and callbacks and a Speedometer; Ctrl-C aborts after the current batch.
 */
export async function fitWithFigures(mod: BaseModule, figures: EpochFigures, o: FitRunOptions): Promise<FitEnd> {
  replayShuffles(figures.trainData, figures.evalData, o.beginEpoch);
  const interrupt = abortOnSigint(o.log);
  try {
    figures.startEpoch(o.beginEpoch);
    return await mod.fitAsync(figures.trainData, {
      evalData: figures.evalData,
      evalMetric: figures.trainMetric,
      validationMetric: new Perplexity(0),
      beginEpoch: o.beginEpoch,
      numEpoch: o.epochs,
      initializer: initializerOf(o.init),
      kvstore: o.kvstore,
      optimizer: o.optimizer,
      optimizerParams: optimizerParams(o),
      batchEndCallback: [figures.batchEndCallback, new Speedometer(o.batchSize, o.dispBatches, false, { logger: o.log })],
      epochEndCallback: figures.epochEndCallback,
      evalEndCallback: figures.evalEndCallback,
      signal: interrupt.signal,
    });
  } finally {
    o.display.stop();
    interrupt.release();
  }
}
