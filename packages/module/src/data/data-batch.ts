// MXNet's DataBatch: the arrays of one mini-batch with their bookkeeping (filler count, bucket key,
// per-batch shapes).

import { type NDArray, ValueError } from '@bkt/ndarray';
import { DataDesc, type DataDescLike } from './data-desc.js';

/** A bucket key: a sequence length, a name, or a tuple of them. */
export type BucketKey = number | string | readonly (number | string)[];

export interface DataBatchOptions {
  /** Number of filler examples at the end of the batch (removed by predict). Default 0. */
  pad?: number;
  /** The example indices of the batch, when the iterator knows them. */
  index?: readonly number[] | null;
  /** Selects the bucket (BucketingModule). */
  bucketKey?: BucketKey | null;
  /** Shapes of this batch's data, when they differ from the iterator's. */
  provideData?: readonly DataDescLike[] | null;
  /** Shapes of this batch's labels, when they differ from the iterator's. */
  provideLabel?: readonly DataDescLike[] | null;
}

export class DataBatch {
  readonly data: readonly NDArray[];
  /** Empty when the batch has no labels (MXNet's `None`). */
  readonly label: readonly NDArray[];
  readonly pad: number;
  readonly index: readonly number[] | undefined;
  readonly bucketKey: BucketKey | undefined;
  readonly provideData: readonly DataDesc[] | undefined;
  readonly provideLabel: readonly DataDesc[] | undefined;

  constructor(data: readonly NDArray[], label?: readonly NDArray[] | null, opts: DataBatchOptions = {}) {
    if (!Array.isArray(data)) throw new ValueError('DataBatch: data must be a list of arrays');
    if (label !== undefined && label !== null && !Array.isArray(label)) {
      throw new ValueError('DataBatch: label must be a list of arrays');
    }
    const pad = opts.pad ?? 0;
    if (!Number.isInteger(pad) || pad < 0) throw new ValueError(`DataBatch: pad must be a non-negative integer, got ${pad}`);
    this.data = data;
    this.label = label ?? [];
    this.pad = pad;
    this.index = opts.index ?? undefined;
    this.bucketKey = opts.bucketKey ?? undefined;
    this.provideData = opts.provideData ? opts.provideData.map((d) => DataDesc.from(d)) : undefined;
    this.provideLabel = opts.provideLabel ? opts.provideLabel.map((d) => DataDesc.from(d)) : undefined;
  }

  toString(): string {
    const shapes = (xs: readonly NDArray[]): string => `[${xs.map((x) => `(${x.shape.join(', ')})`).join(', ')}]`;
    return `DataBatch: data shapes: ${shapes(this.data)} label shapes: ${this.label.length ? shapes(this.label) : 'None'}`;
  }
}
