// MXNet's BucketSentenceIter (`rnn/io.py`): encoded sentences grouped into buckets by length, each
// right-padded with invalidLabel to its bucket's length; the label is the data shifted left by one
// with invalidLabel in the last position. Every batch comes from one bucket and carries its length
// as bucket key. Sentences longer than the largest bucket are dropped, as are the last
// (< batchSize) sentences of every bucket in an epoch; both counts are kept and reported.

import { array, type DType, empty, type NDArray, ValueError } from '@bkt/ndarray';
import { shuffleInPlace } from '../util/shuffle.js';
import { DataBatch } from './data-batch.js';
import { DataDesc } from './data-desc.js';
import { DataIter } from './data-iter.js';
import { checkPartition } from './partition.js';

export interface BucketSentenceIterOptions {
  /** Bucket lengths; by default every sentence length that occurs at least batchSize times. */
  buckets?: readonly number[] | null;
  /** Padding id, also the label of each sentence's last position. Default -1. */
  invalidLabel?: number;
  dataName?: string;
  labelName?: string;
  dtype?: DType;
  /** 'NT' gives (batch, time) arrays, 'TN' (time, batch). Default 'NT'. */
  layout?: string;
  /** Where the dropped-sentence warning goes. Default console.warn. */
  logger?: (message: string) => void;
  /**
   * Workers of a distributed job sharing the data (default 1). Every worker plans the same batches
   * (the shuffles follow the global seed) and serves every numParts-th of them, the same number on
   * each worker, so no worker of a 'dist_sync' job waits for a step the others never take.
   */
  numParts?: number;
  /** The worker this iterator serves, in [0, numParts). Default 0. */
  partIndex?: number;
}

// Index of the first bucket >= len (Python's bisect_left on a sorted list).
function bisectLeft(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class BucketSentenceIter extends DataIter {
  /** Bucket lengths that received sentences, ascending. */
  readonly buckets: readonly number[];
  readonly invalidLabel: number;
  readonly dataName: string;
  readonly labelName: string;
  readonly dtype: DType;
  readonly layout: 'NT' | 'TN';
  /** The largest bucket. */
  override readonly defaultBucketKey: number;
  readonly provideData: readonly DataDesc[];
  readonly provideLabel: readonly DataDesc[];
  /** Sentences longer than the largest bucket, dropped. */
  readonly numDiscarded: number;
  /** Sentences left over at the end of each bucket (fewer than batchSize), never served. */
  readonly numUnused: number;
  /** Padded sentences per bucket, in the current (shuffled) order. */
  private readonly rows: number[][][];
  /** [bucket index, first row] of every batch, in the current (shuffled) order. */
  private readonly plan: [number, number][];
  /** The batches of plan this part serves this epoch. */
  private served: [number, number][] = [];
  private readonly numParts: number;
  private readonly partIndex: number;
  /**
   * Per bucket, this epoch's full batches in serving layout: batch k is rows [k·r, (k+1)·r) with r
   * the rows of one batch (batchSize for 'NT', the bucket length for 'TN').
   */
  private nddata: NDArray[] = [];
  private ndlabel: NDArray[] = [];
  /** Per bucket, the data and label arrays every batch of it is copied into (MXNet reuses its buffers). */
  private readonly batchBuffers: [NDArray, NDArray][];
  private currIdx = 0;

  constructor(sentences: readonly (readonly number[])[], batchSize: number, opts: BucketSentenceIterOptions = {}) {
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new ValueError(`BucketSentenceIter: batchSize must be a positive integer, got ${batchSize}`);
    super(batchSize);
    const layout = opts.layout ?? 'NT';
    const major = layout.indexOf('N');
    if (major !== 0 && major !== 1)
      throw new ValueError(`BucketSentenceIter: invalid layout '${layout}': must be NT (batch major) or TN (time major)`);
    this.layout = major === 0 ? 'NT' : 'TN';
    this.invalidLabel = opts.invalidLabel ?? -1;
    this.dataName = opts.dataName ?? 'data';
    this.labelName = opts.labelName ?? 'softmax_label';
    this.dtype = opts.dtype ?? 'float32';
    ({ numParts: this.numParts, partIndex: this.partIndex } = checkPartition(
      'BucketSentenceIter',
      opts.numParts ?? 1,
      opts.partIndex ?? 0,
    ));

    let buckets: number[];
    if (opts.buckets && opts.buckets.length > 0) {
      for (const b of opts.buckets) {
        if (!Number.isInteger(b) || b < 1)
          throw new ValueError(`BucketSentenceIter: bucket lengths must be positive integers, got ${b}`);
      }
      buckets = [...new Set(opts.buckets)];
    } else {
      const counts = new Map<number, number>();
      for (const s of sentences) counts.set(s.length, (counts.get(s.length) ?? 0) + 1);
      buckets = [...counts].filter(([len, n]) => len > 0 && n >= batchSize).map(([len]) => len);
    }
    buckets.sort((a, b) => a - b);

    const grouped: number[][][] = buckets.map(() => []);
    let discarded = 0;
    for (const sent of sentences) {
      const k = bisectLeft(buckets, sent.length);
      if (k === buckets.length) {
        discarded += 1;
        continue;
      }
      const row = new Array<number>(buckets[k]!).fill(this.invalidLabel);
      for (let i = 0; i < sent.length; i++) row[i] = sent[i]!;
      grouped[k]!.push(row);
    }
    const keep = buckets.map((_, i) => grouped[i]!.length > 0);
    this.buckets = buckets.filter((_, i) => keep[i]);
    this.rows = grouped.filter((_, i) => keep[i]);
    if (this.buckets.length === 0) {
      throw new ValueError(
        `BucketSentenceIter: no sentence fits any bucket (${sentences.length} sentences, buckets [${buckets.join(', ')}])`,
      );
    }
    this.numDiscarded = discarded;
    this.numUnused = this.rows.reduce((n, r) => n + (r.length % batchSize), 0);
    const log = opts.logger ?? ((m: string) => console.warn(m));
    if (discarded > 0) log(`WARNING: discarded ${discarded} sentences longer than the largest bucket.`);

    this.defaultBucketKey = Math.max(...this.buckets);
    const shape = this.layout === 'NT' ? [batchSize, this.defaultBucketKey] : [this.defaultBucketKey, batchSize];
    this.provideData = [new DataDesc(this.dataName, shape, this.dtype, this.layout)];
    this.provideLabel = [new DataDesc(this.labelName, shape, this.dtype, this.layout)];

    this.plan = [];
    this.rows.forEach((r, i) => {
      for (let j = 0; j + batchSize <= r.length; j += batchSize) this.plan.push([i, j]);
    });
    this.batchBuffers = this.buckets.map((len) => {
      const batchShape = this.layout === 'NT' ? [batchSize, len] : [len, batchSize];
      return [empty(batchShape, { dtype: this.dtype }), empty(batchShape, { dtype: this.dtype })];
    });
    this.reset();
  }

  /** Batches per epoch (this part's). */
  get numBatches(): number {
    return Math.floor(this.plan.length / this.numParts);
  }

  /** Reshuffles the batch order and the sentences within each bucket, and rebuilds the arrays batches are copied from. */
  override reset(): void {
    this.currIdx = 0;
    shuffleInPlace(this.plan);
    this.served = this.plan.slice(0, this.numBatches * this.numParts).filter((_, k) => k % this.numParts === this.partIndex);
    for (const r of this.rows) shuffleInPlace(r);
    for (const a of [...this.nddata, ...this.ndlabel]) a.dispose();
    this.nddata = [];
    this.ndlabel = [];
    const b = this.batchSize;
    for (const r of this.rows) {
      const len = r[0]!.length;
      const used = r.length - (r.length % b);
      const data = new Float64Array(used * len);
      const label = new Float64Array(used * len);
      // row n, time t goes to batch-major (n, t) or, within its batch, time-major (t, n mod b)
      const at =
        this.layout === 'NT'
          ? (n: number, t: number) => n * len + t
          : (n: number, t: number) => (n - (n % b)) * len + t * b + (n % b);
      for (let n = 0; n < used; n++) {
        const row = r[n]!;
        for (let t = 0; t < len; t++) {
          data[at(n, t)] = row[t]!;
          label[at(n, t)] = t + 1 < len ? row[t + 1]! : this.invalidLabel;
        }
      }
      const shape = this.layout === 'NT' ? [used, len] : [(used / b) * len, b];
      this.nddata.push(array(data, { shape, dtype: this.dtype }));
      this.ndlabel.push(array(label, { shape, dtype: this.dtype }));
    }
  }

  override next(): IteratorResult<DataBatch, undefined> {
    if (this.currIdx === this.served.length) return { done: true, value: undefined };
    const [i, j] = this.served[this.currIdx]!;
    this.currIdx += 1;
    const [data, label] = this.batchBuffers[i]!;
    const firstRow = this.layout === 'NT' ? j : (j / this.batchSize) * this.buckets[i]!;
    this.nddata[i]!.copyRowsTo(data, firstRow);
    this.ndlabel[i]!.copyRowsTo(label, firstRow);
    return {
      done: false,
      value: new DataBatch([data], [label], {
        pad: 0,
        bucketKey: this.buckets[i]!,
        provideData: [new DataDesc(this.dataName, data.shape, this.dtype, this.layout)],
        provideLabel: [new DataDesc(this.labelName, label.shape, this.dtype, this.layout)],
      }),
    };
  }
}
