// MXNet's NDArrayIter: batches cut from in-memory arrays along their batch axis, optionally
// shuffled every epoch, with three ways to treat the last partial batch:
//   pad        complete it with examples from the start of the (shuffled) data; `pad` counts them
//   discard    drop it
//   roll_over  drop it this epoch and put its examples at the head of the next epoch's first batch
// A csr source (lastBatchHandle discard only, as in MXNet) yields csr batches.
// Every batch is gathered (copied) from the sources by example index, so shuffling never copies
// the whole data set; the gathered arrays are freed at the next iterNext()/next() or reset().
// Unlike MXNet, the rolled-over batch reports pad 0: all its examples are real.

import { array, CSRNDArray, type NDArray, ShapeError, sparse, take, ValueError } from '@bkt/ndarray';
import { shuffleInPlace } from '../util/shuffle.js';
import { DataBatch } from './data-batch.js';
import { DataDesc } from './data-desc.js';
import { DataIter } from './data-iter.js';
import { checkPartition, partRange } from './partition.js';

/** One array, a list (named `_0_<name>`, `_1_<name>` … when more than one), or arrays by name. */
export type ArraySource =
  | NDArray
  | readonly NDArray[]
  | Readonly<Record<string, NDArray>>
  | ReadonlyMap<string, NDArray>
  | readonly (readonly [string, NDArray])[];

export type LastBatchHandle = 'pad' | 'discard' | 'roll_over';

export interface NDArrayIterOptions {
  batchSize?: number;
  shuffle?: boolean;
  lastBatchHandle?: LastBatchHandle;
  dataName?: string;
  labelName?: string;
  /** Axis letters; the batch axis is the position of `N` (0 when there is none). Default 'NCHW'. */
  layout?: string;
  /** Split the examples into this many contiguous parts (one per worker of a distributed job). Default 1. */
  numParts?: number;
  /** The part this iterator serves, in [0, numParts). Default 0. */
  partIndex?: number;
}

const HANDLES: readonly LastBatchHandle[] = ['pad', 'discard', 'roll_over'];

function isNDArrayLike(x: unknown): x is NDArray {
  return typeof x === 'object' && x !== null && 'shape' in x && 'dtype' in x && typeof (x as NDArray).dispose === 'function';
}

/** MXNet's _init_data: named arrays sorted by name. */
export function namedArrays(
  source: ArraySource | null | undefined,
  allowEmpty: boolean,
  defaultName: string,
): [string, NDArray][] {
  let pairs: [string, NDArray][];
  if (source === null || source === undefined) {
    pairs = [];
  } else if (isNDArrayLike(source)) {
    pairs = [[defaultName, source]];
  } else if (source instanceof Map) {
    pairs = [...(source as ReadonlyMap<string, NDArray>).entries()];
  } else if (Array.isArray(source)) {
    if (source.length > 0 && Array.isArray(source[0])) {
      pairs = (source as readonly (readonly [string, NDArray])[]).map(([k, v]) => [k, v]);
    } else {
      const list = source as readonly NDArray[];
      pairs = list.length === 1 ? [[defaultName, list[0]!]] : list.map((a, i) => [`_${i}_${defaultName}`, a]);
    }
  } else {
    pairs = Object.entries(source as Readonly<Record<string, NDArray>>);
  }
  if (!allowEmpty && pairs.length === 0) throw new ValueError('NDArrayIter: data must not be empty');
  for (const [name, a] of pairs) {
    if (!isNDArrayLike(a)) throw new ValueError(`NDArrayIter: '${name}' is not an NDArray`);
    if (a.ndim === 0) throw new ShapeError(`NDArrayIter: '${name}' is 0-d; it needs a batch axis`);
  }
  return pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export class NDArrayIter extends DataIter {
  readonly data: readonly [string, NDArray][];
  readonly label: readonly [string, NDArray][];
  readonly shuffle: boolean;
  readonly lastBatchHandle: LastBatchHandle;
  readonly layout: string;
  /** Examples this iterator serves (its part's, with numParts). */
  readonly numData: number;
  readonly provideData: readonly DataDesc[];
  readonly provideLabel: readonly DataDesc[];
  /** The axis examples are taken along: the position of `N` in the layout, else 0. */
  readonly batchAxis: number;
  private order: Int32Array;
  private cursor: number;
  /** roll_over: the examples left over at the end of the previous epoch (old order). */
  private leftover: number[] | null = null;
  private rows: number[] | null = null;

  constructor(data: ArraySource, label?: ArraySource | null, opts: NDArrayIterOptions = {}) {
    const batchSize = opts.batchSize ?? 1;
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new ValueError(`NDArrayIter: batchSize must be a positive integer, got ${batchSize}`);
    super(batchSize);
    const handle = opts.lastBatchHandle ?? 'pad';
    if (!HANDLES.includes(handle))
      throw new ValueError(`NDArrayIter: lastBatchHandle must be one of ${HANDLES.join(', ')}, got '${String(handle)}'`);
    this.layout = opts.layout ?? 'NCHW';
    const n = this.layout.indexOf('N');
    this.batchAxis = n < 0 ? 0 : n;
    this.data = namedArrays(data, false, opts.dataName ?? 'data');
    this.label = namedArrays(label, true, opts.labelName ?? 'softmax_label');
    this.shuffle = opts.shuffle ?? false;
    this.lastBatchHandle = handle;

    const all = [...this.data, ...this.label];
    for (const [name, a] of all) {
      if (a.stype === 'row_sparse')
        throw new ValueError(`NDArrayIter: '${name}' is row_sparse; only dense and csr arrays are supported`);
      if (a.stype !== 'csr') continue;
      if (handle !== 'discard')
        throw new ValueError("NDArrayIter only supports CSRNDArray with lastBatchHandle set to 'discard'");
      if (this.batchAxis !== 0)
        throw new ValueError(`NDArrayIter: csr '${name}' needs the batch axis 0, not ${this.batchAxis} (layout ${this.layout})`);
    }
    for (const [name, a] of all) {
      if (a.ndim <= this.batchAxis) {
        throw new ShapeError(
          `NDArrayIter: '${name}' of shape (${a.shape.join(', ')}) has no batch axis ${this.batchAxis} (layout ${this.layout})`,
        );
      }
    }
    const total = this.data[0]![1].shape[this.batchAxis]!;
    for (const [name, a] of all) {
      if (a.shape[this.batchAxis] !== total) {
        throw new ShapeError(
          `NDArrayIter: '${name}' has ${a.shape[this.batchAxis]} examples but '${this.data[0]![0]}' has ${total}`,
        );
      }
    }
    const { numParts, partIndex } = checkPartition('NDArrayIter', opts.numParts ?? 1, opts.partIndex ?? 0);
    const [first, end] = numParts === 1 ? [0, total] : partRange('NDArrayIter', total, numParts, partIndex);
    this.numData = end - first;
    const desc = ([name, a]: [string, NDArray]): DataDesc => {
      const shape = [...a.shape];
      shape[this.batchAxis] = batchSize;
      return new DataDesc(name, shape, a.dtype, this.layout);
    };
    this.provideData = this.data.map(desc);
    this.provideLabel = this.label.map(desc);

    this.order = Int32Array.from({ length: this.numData }, (_, i) => first + i);
    this.cursor = -batchSize;
    this.reset();
  }

  /** The current example order (a permutation of this part's example indices, in order without shuffle). */
  get idx(): readonly number[] {
    return Array.from(this.order);
  }

  /** Starts the next epoch; roll_over carries the last partial batch's examples into it. */
  override reset(): void {
    const b = this.batchSize;
    const endsInPartial = this.numData - b < this.cursor && this.cursor < this.numData;
    if (this.lastBatchHandle === 'roll_over' && endsInPartial) {
      this.leftover = Array.from(this.order.subarray(this.cursor));
      this.cursor = this.cursor - this.numData - b;
    } else {
      this.leftover = null;
      this.cursor = -b;
    }
    if (this.shuffle) shuffleInPlace(this.order);
    this.rows = null;
    this.releaseBatch();
  }

  /** Starts over, dropping any rolled-over examples. */
  hardReset(): void {
    this.releaseBatch();
    if (this.shuffle) shuffleInPlace(this.order);
    this.cursor = -this.batchSize;
    this.leftover = null;
    this.rows = null;
  }

  override iterNext(): boolean {
    this.releaseBatch();
    this.cursor += this.batchSize;
    if (this.cursor >= this.numData) {
      this.rows = null;
      return false;
    }
    this.rows = this.batchRows();
    return true;
  }

  override next(): IteratorResult<DataBatch, undefined> {
    if (!this.iterNext()) return { done: true, value: undefined };
    // discard and roll_over end the epoch at a partial batch (roll_over keeps it for the next one).
    if (this.rows!.length !== this.batchSize) return { done: true, value: undefined };
    const batch = new DataBatch(this.getData(), this.getLabel(), { pad: this.getPad(), index: this.rows });
    return { done: false, value: batch };
  }

  // The example indices (into the sources) of the batch at the cursor.
  private batchRows(): number[] {
    const b = this.batchSize;
    const n = this.numData;
    const c = this.cursor;
    if (this.lastBatchHandle === 'roll_over' && c < 0) {
      const head = this.leftover ?? [];
      this.leftover = null;
      return [...head, ...Array.from(this.order.subarray(0, c + b))];
    }
    if (this.lastBatchHandle === 'pad' && c + b > n) {
      const rows = Array.from(this.order.subarray(c));
      for (let i = 0; rows.length < b; i++) rows.push(this.order[i % n]!);
      return rows;
    }
    return Array.from(this.order.subarray(c, Math.min(c + b, n)));
  }

  private gather(sources: readonly [string, NDArray][]): NDArray[] {
    if (this.rows === null) throw new ValueError('NDArrayIter: no current batch (call iterNext or reset)');
    if (sources.length === 0) return [];
    const index = array(this.rows, { dtype: 'int32' });
    try {
      return this.ownBatchArrays(
        sources.map(([, a]) =>
          a instanceof CSRNDArray ? sparse.takeRows(a, this.rows!) : take(a, index, { axis: this.batchAxis, mode: 'raise' }),
        ),
      );
    } finally {
      index.dispose();
    }
  }

  override getData(): NDArray[] {
    return this.gather(this.data);
  }

  override getLabel(): NDArray[] {
    return this.gather(this.label);
  }

  override getIndex(): number[] | undefined {
    return this.rows ?? undefined;
  }

  /** Filler examples in the current batch: only `pad` mode's last batch has any. */
  override getPad(): number {
    if (this.lastBatchHandle === 'pad' && this.cursor + this.batchSize > this.numData) {
      return this.cursor + this.batchSize - this.numData;
    }
    return 0;
  }
}
