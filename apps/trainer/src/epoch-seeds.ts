// Reproducible epochs for fit: each epoch reseeds the generator from (seed, epoch) before its
// training data reshuffles and again before its validation, so a run resumed at epoch k (after
// replayShuffles) shuffles and drops out exactly as the uninterrupted run did from epoch k on.
// fit resets the iterators itself (training at an epoch's end, validation inside score), so the
// seeding rides on reset().

import { type DataBatch, DataIter, type DataDesc } from '@bkt/module';
import { random } from '@bkt/ndarray';

/** The generator seed of an epoch's training (+1: its validation): distinct per (seed, epoch), the same on every run. */
export const epochSeed = (seed: number, epoch: number): number => (seed * 1_000_003 + epoch * 7919) % 2_147_483_647;

/** An iterator whose k-th reset first seeds the generator with epochSeed(seed, k) + offset. */
export class EpochSeededIter extends DataIter {
  readonly provideData: readonly DataDesc[];
  readonly provideLabel: readonly DataDesc[];
  #epoch = 0;

  /**
   * offset 0 for training data, 1 for validation data. onBatch sees each batch as it is served:
   * fit runs the batch-end callbacks after fetching the next batch, which frees the arrays of the
   * one before.
   */
  constructor(
    readonly inner: DataIter,
    readonly seed: number,
    readonly offset: 0 | 1,
    readonly onBatch: (batch: DataBatch) => void = () => {},
  ) {
    super(inner.batchSize);
    this.provideData = inner.provideData;
    this.provideLabel = inner.provideLabel;
    if (inner.defaultBucketKey !== undefined) this.defaultBucketKey = inner.defaultBucketKey;
  }

  override reset(): void {
    random.seed(epochSeed(this.seed, this.#epoch) + this.offset);
    this.#epoch += 1;
    this.inner.reset();
  }

  override next(): IteratorResult<DataBatch, undefined> {
    const r = this.inner.next();
    if (!r.done) this.onBatch(r.value);
    return r;
  }
}

/**
 * BucketSentenceIter reshuffles its current order on each reset, so an epoch's order depends on
 * every earlier epoch's reset: replaying them (cheap: no training) and resetting the training data
 * once more starts epoch `beginEpoch` from the order the uninterrupted run had. Call it once, on
 * fresh iterators, before fit (fit resets only at an epoch's end).
 */
export function replayShuffles(trainData: EpochSeededIter, evalData: EpochSeededIter | null, beginEpoch: number): void {
  for (let epoch = 0; epoch < beginEpoch; epoch++) {
    trainData.reset();
    evalData?.reset();
  }
  trainData.reset();
}
