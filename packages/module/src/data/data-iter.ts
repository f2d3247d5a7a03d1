// MXNet's DataIter: the iterator protocol every data source follows. A JS iterator (`for (const
// batch of it)`) over DataBatch, with MXNet's lower-level steps (iterNext, getData, getLabel,
// getPad, getIndex) for iterators built on them, and `reset()` to start the next epoch.
// The library's iterators own the arrays they make for a batch and free them when they serve the
// next batch or reset (MXNet's iterators reuse their buffers the same way): a batch is valid until
// next(); copy what must outlive it.

import { type NDArray, StateError } from '@bkt/ndarray';
import { DataBatch, type BucketKey } from './data-batch.js';
import type { DataDesc } from './data-desc.js';

export abstract class DataIter implements Iterator<DataBatch, undefined>, Iterable<DataBatch> {
  /** Examples per batch (0 when the iterator does not say). */
  batchSize: number;

  /** Descs of the data arrays of a batch (the largest bucket's for bucketing iterators). */
  abstract readonly provideData: readonly DataDesc[];
  /** Descs of the label arrays of a batch; empty when there are no labels. */
  abstract readonly provideLabel: readonly DataDesc[];
  /** Bucketing iterators name the bucket BucketingModule binds first. */
  defaultBucketKey?: BucketKey;

  /** Arrays made for the batch served last, freed by releaseBatch(). */
  #batchArrays: NDArray[] = [];

  constructor(batchSize = 0) {
    this.batchSize = batchSize;
  }

  /** Records arrays this iterator made for the batch it is serving, to free with releaseBatch(). */
  protected ownBatchArrays<T extends NDArray>(arrays: T[]): T[] {
    this.#batchArrays.push(...arrays);
    return arrays;
  }

  /** Frees the arrays of the batch served last: called when the next batch is made and on reset. */
  protected releaseBatch(): void {
    for (const a of this.#batchArrays) a.dispose();
    this.#batchArrays = [];
  }

  [Symbol.iterator](): this {
    return this;
  }

  /** Starts the next epoch. */
  abstract reset(): void;

  /**
   * The next batch, `done` at the end of the epoch. The default assembles the batch from
   * iterNext / getData / getLabel / getPad / getIndex.
   */
  next(): IteratorResult<DataBatch, undefined> {
    if (!this.iterNext()) return { done: true, value: undefined };
    const batch = new DataBatch(this.getData(), this.getLabel(), { pad: this.getPad(), index: this.getIndex() ?? null });
    return { done: false, value: batch };
  }

  /** The next batch, or undefined at the end of the epoch. */
  nextBatch(): DataBatch | undefined {
    const r = this.next();
    return r.done ? undefined : r.value;
  }

  /** Moves to the next batch; false at the end of the epoch. */
  iterNext(): boolean {
    throw new StateError(`${this.constructor.name} does not implement iterNext`);
  }

  /** The data arrays of the current batch. */
  getData(): NDArray[] {
    throw new StateError(`${this.constructor.name} does not implement getData`);
  }

  /** The label arrays of the current batch. */
  getLabel(): NDArray[] {
    throw new StateError(`${this.constructor.name} does not implement getLabel`);
  }

  /** The example indices of the current batch, if known. */
  getIndex(): number[] | undefined {
    return undefined;
  }

  /** Filler examples at the end of the current batch. */
  getPad(): number {
    return 0;
  }
}
