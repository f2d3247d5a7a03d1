// MXNet's ResizeIter: a fixed number of batches per epoch from another iterator, restarting it when
// it runs out. The inner batches are passed on whole, so their bucket key and per-batch shapes
// survive (MXNet rebuilt the batch and lost them).

import { type NDArray, StateError, ValueError } from '@bkt/ndarray';
import type { DataBatch } from './data-batch.js';
import type { DataDesc } from './data-desc.js';
import { DataIter } from './data-iter.js';

export class ResizeIter extends DataIter {
  readonly dataIter: DataIter;
  readonly size: number;
  readonly resetInternal: boolean;
  readonly provideData: readonly DataDesc[];
  readonly provideLabel: readonly DataDesc[];
  private cur = 0;
  private current: DataBatch | null = null;

  /** `size` batches per epoch; with `resetInternal` (default) reset() also resets the inner iterator. */
  constructor(dataIter: DataIter, size: number, resetInternal = true) {
    super(dataIter.batchSize);
    if (!Number.isInteger(size) || size < 0) throw new ValueError(`ResizeIter: size must be a non-negative integer, got ${size}`);
    this.dataIter = dataIter;
    this.size = size;
    this.resetInternal = resetInternal;
    this.provideData = dataIter.provideData;
    this.provideLabel = dataIter.provideLabel;
    if (dataIter.defaultBucketKey !== undefined) this.defaultBucketKey = dataIter.defaultBucketKey;
  }

  override reset(): void {
    this.cur = 0;
    this.current = null;
    if (this.resetInternal) this.dataIter.reset();
  }

  override iterNext(): boolean {
    if (this.cur === this.size) return false;
    let r = this.dataIter.next();
    if (r.done) {
      this.dataIter.reset();
      r = this.dataIter.next();
      if (r.done) throw new StateError('ResizeIter: the inner iterator yields no batch even after a reset');
    }
    this.current = r.value;
    this.cur += 1;
    return true;
  }

  override next(): IteratorResult<DataBatch, undefined> {
    if (!this.iterNext()) return { done: true, value: undefined };
    return { done: false, value: this.current! };
  }

  private batch(): DataBatch {
    if (this.current === null) throw new StateError('ResizeIter: no current batch (call iterNext first)');
    return this.current;
  }

  override getData(): NDArray[] {
    return [...this.batch().data];
  }

  override getLabel(): NDArray[] {
    return [...this.batch().label];
  }

  override getIndex(): number[] | undefined {
    const i = this.batch().index;
    return i === undefined ? undefined : [...i];
  }

  override getPad(): number {
    return this.batch().pad;
  }
}
