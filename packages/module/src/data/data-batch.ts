// MXNet's DataBatch: the arrays of one mini-batch with their bookkeeping (filler count, bucket key,
// per-batch shapes).

import { NDArray, ValueError } from '@bkt/ndarray';
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
    checkArrayList('DataBatch', 'data', data);
    if (label !== undefined && label !== null) checkArrayList('DataBatch', 'label', label);
    const pad = opts.pad ?? 0;
    if (!Number.isInteger(pad) || pad < 0) throw new ValueError(`DataBatch: pad must be a non-negative integer, got ${pad}`);
    this.data = data;
    this.label = label ?? [];
    this.pad = pad;
    this.index = opts.index ?? undefined;
    this.bucketKey = opts.bucketKey ?? undefined;
    this.provideData = opts.provideData ? DataDesc.fromList(opts.provideData, 'DataBatch', 'provideData') : undefined;
    this.provideLabel = opts.provideLabel ? DataDesc.fromList(opts.provideLabel, 'DataBatch', 'provideLabel') : undefined;
  }

  toString(): string {
    const shapes = (xs: readonly NDArray[]): string => `[${xs.map((x) => `(${x.shape.join(', ')})`).join(', ')}]`;
    return `DataBatch: data shapes: ${shapes(this.data)} label shapes: ${this.label.length ? shapes(this.label) : 'None'}`;
  }
}

/** A ValueError naming `call` unless `list` is a list of NDArrays (modules also get batch-like objects). */
export function checkArrayList(call: string, what: string, list: unknown): asserts list is readonly NDArray[] {
  if (!Array.isArray(list)) throw new ValueError(`${call}: ${what} must be a list of arrays, got ${typeof list}`);
  const bad = list.findIndex((a) => !(a instanceof NDArray));
  if (bad >= 0) throw new ValueError(`${call}: ${what}[${bad}] is not an NDArray`);
}

/** The batch checks every module's forward starts with: a typed error, never a TypeError, for a malformed batch. */
export function checkBatch(call: string, batch: unknown): asserts batch is DataBatch {
  if (batch === null || typeof batch !== 'object')
    throw new ValueError(`${call}: expected a DataBatch, got ${batch === null ? 'null' : typeof batch}`);
  const b = batch as { data?: unknown; label?: unknown };
  checkArrayList(call, 'batch.data', b.data);
  if (b.label !== undefined && b.label !== null) checkArrayList(call, 'batch.label', b.label);
}
