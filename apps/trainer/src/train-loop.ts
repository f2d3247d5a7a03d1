// BaseModule.fit's epoch loop on the module's primitives (forwardBackward, update, updateMetric,
// prepare), printing what fit prints, with three differences a command-line run needs:
//  - it yields to the event loop after every batch, so a Ctrl-C handler can run and ask it to stop
//    after the current batch (fit is synchronous and would not see the signal until it returned);
//  - each epoch reseeds the generator from (seed, epoch) before reshuffling and again before
//    validating, so a run resumed at epoch k (after replayShuffles) shuffles and drops out exactly
//    as the uninterrupted run did from epoch k on;
//  - it counts real (non-padding) tokens, for throughput.
// The module must be bound, initialized and have its optimizer (as fit does before its loop).

import { type BaseModule, type BatchEndCallback, callBatchEnd, type DataBatch, type DataIter, type EvalMetric, type Logger } from '@bkt/module';
import { type NDArray, random } from '@bkt/ndarray';

export interface EpochResult {
  epoch: number;
  trainPpl: number;
  validPpl: number | null;
  /** Real (non-padding) label tokens trained on. */
  tokens: number;
  samples: number;
  batches: number;
  /** Training time (validation excluded). */
  seconds: number;
}

export interface TrainLoopOptions {
  trainData: DataIter;
  evalData: DataIter | null;
  /** Makes a fresh metric (training and validation each get one). */
  metric: () => EvalMetric;
  beginEpoch: number;
  numEpoch: number;
  seed: number;
  /** The padding label, not counted as a token. */
  invalidLabel: number;
  logger: Logger;
  /** Called with fit's BatchEndParam; locals carry batch, tokens and samples so far this epoch. */
  batchEndCallback?: readonly BatchEndCallback[];
  onEpochStart?: (epoch: number) => void;
  /** After the parameters are synced at an epoch's end, before validation (fit's epoch_end_callback). */
  onEpochTrained?: (epoch: number) => void;
  onEpochEnd?: (result: EpochResult) => void;
  /** Polled after every batch; true stops the loop there. */
  shouldStop?: () => boolean;
}

/** How the loop ended: all epochs done, or stopped inside `epoch` after `batches` batches. */
export type LoopEnd = { interrupted: false } | { interrupted: true; epoch: number; batches: number };

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The generator seed of an epoch's training (+1: its validation): distinct per (seed, epoch), the same on every run. */
export const epochSeed = (seed: number, epoch: number): number => (seed * 1_000_003 + epoch * 7919) % 2_147_483_647;

/**
 * BucketSentenceIter reshuffles its current order on each reset, so an epoch's order depends on
 * every earlier epoch's reset: a resumed run replays those resets (cheap: no training) to start
 * epoch `beginEpoch` from the same order as the run that was not interrupted.
 */
export function replayShuffles(trainData: DataIter, evalData: DataIter | null, seed: number, beginEpoch: number): void {
  for (let epoch = 0; epoch < beginEpoch; epoch++) {
    random.seed(epochSeed(seed, epoch));
    trainData.reset();
    if (evalData) {
      random.seed(epochSeed(seed, epoch) + 1);
      evalData.reset();
    }
  }
}

function countTokens(labels: readonly NDArray[], invalid: number): number {
  let n = 0;
  for (const l of labels) for (const v of l.toTypedArray()) if (v !== invalid) n += 1;
  return n;
}

/** Trains `mod` from beginEpoch to numEpoch; resolves when done or stopped. */
export async function trainLoop(mod: BaseModule, o: TrainLoopOptions): Promise<LoopEnd> {
  const metric = o.metric();
  for (let epoch = o.beginEpoch; epoch < o.numEpoch; epoch++) {
    random.seed(epochSeed(o.seed, epoch));
    o.trainData.reset();
    o.onEpochStart?.(epoch);
    const tic = performance.now();
    metric.reset();
    let nbatch = 0;
    let tokens = 0;
    let samples = 0;
    let next = o.trainData.nextBatch();
    while (next !== undefined) {
      const batch: DataBatch = next;
      mod.forwardBackward(batch);
      mod.update();
      mod.updateMetric(metric, batch.label);
      tokens += countTokens(batch.label, o.invalidLabel);
      samples += o.trainData.batchSize - batch.pad;
      next = o.trainData.nextBatch();
      if (next !== undefined) mod.prepare(next);
      callBatchEnd(o.batchEndCallback, { epoch, nbatch, evalMetric: metric, locals: { batch, tokens, samples } });
      nbatch += 1;
      await yieldToEventLoop();
      if (o.shouldStop?.()) return { interrupted: true, epoch, batches: nbatch };
    }
    const seconds = (performance.now() - tic) / 1000;
    const [[, trainPpl] = ['', NaN]] = metric.getGlobalNameValue();
    o.logger(`Epoch[${epoch}] Train-perplexity=${trainPpl}`);
    o.logger(`Epoch[${epoch}] Time cost=${seconds.toFixed(3)}`);
    const [argParams, auxParams] = mod.getParams();
    mod.setParams(argParams, auxParams);
    o.onEpochTrained?.(epoch);
    let validPpl: number | null = null;
    if (o.evalData) {
      random.seed(epochSeed(o.seed, epoch) + 1);
      const [[, v] = ['', NaN]] = mod.score(o.evalData, o.metric(), { epoch });
      validPpl = v;
      o.logger(`Epoch[${epoch}] Validation-perplexity=${v}`);
    }
    o.onEpochEnd?.({ epoch, trainPpl, validPpl, tokens, samples, batches: nbatch, seconds });
  }
  return { interrupted: false };
}
