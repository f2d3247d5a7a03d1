// Sentence pairs for sequence-to-sequence training, bucketed on two lengths (Sockeye's scheme on
// MXNet's BucketingModule): every pair goes to the smallest cell of a grid of source × target
// lengths that holds it, every batch comes from one cell and carries the bucket key
// [sourceLength, targetLength]. A batch has the source ids (batch, S) right-padded, the source
// lengths (batch), the target input (batch, T) = BOS + target, and the label (batch, T) = target +
// EOS, padded with padId. T counts the target words plus one.
//
// The grid: `buckets: 'auto'` chooses each axis's boundaries from that axis's length histogram
// (chooseBuckets). A pair costs its cell's source length plus its target length in computed
// tokens, a sum of one term per axis, so the two one-dimensional optima together are the optimal
// grid for padding. A cell's last, incomplete batch is filled with padding rows (the batch's `pad`
// says how many; their labels are all padId) unless lastBatchHandle is 'discard'.
// `numParts`/`partIndex` keep every numParts-th pair (from partIndex) before bucketing.
// Lifetime: a batch's arrays are freed when the next batch is served or on reset.

import { array, type DType, type NDArray, ValueError } from '@bkt/ndarray';
import { shuffleInPlace } from '../util/shuffle.js';
import { chooseBuckets } from './choose-buckets.js';
import { DataBatch } from './data-batch.js';
import { DataDesc } from './data-desc.js';
import { DataIter } from './data-iter.js';

/** Explicit grid boundaries, each axis ascending. */
export interface BucketGrid {
  readonly source: readonly number[];
  readonly target: readonly number[];
}

export interface ParallelBucketIterOptions {
  /** The grid, or 'auto' (default) to choose it from the length histograms. */
  buckets?: BucketGrid | 'auto';
  /** Boundaries per axis for 'auto': one number for both or [source, target]. Default 6. */
  numBuckets?: number | readonly [number, number];
  /** Padding id of the source, target and label. Default 0. */
  padId?: number;
  bosId: number;
  eosId: number;
  /** 'pad' (default) fills each cell's last batch with padding rows; 'discard' drops it. */
  lastBatchHandle?: 'pad' | 'discard';
  numParts?: number;
  partIndex?: number;
  sourceName?: string;
  sourceLengthName?: string;
  targetName?: string;
  labelName?: string;
  dtype?: DType;
  /** Where the dropped-pairs warning goes. Default console.warn. */
  logger?: (message: string) => void;
}

/** One cell of the grid: its key and what its pairs cost. */
export interface ParallelBucketStat {
  readonly key: readonly [number, number];
  readonly sentences: number;
  readonly sourceTokens: number;
  readonly targetTokens: number;
  /** Padding positions (source and target) of the cell's real pairs. */
  readonly padding: number;
}

const KNOWN_OPTIONS = new Set([
  'buckets',
  'numBuckets',
  'padId',
  'bosId',
  'eosId',
  'lastBatchHandle',
  'numParts',
  'partIndex',
  'sourceName',
  'sourceLengthName',
  'targetName',
  'labelName',
  'dtype',
  'logger',
]);

const isId = (x: unknown): x is number => Number.isInteger(x) && (x as number) >= 0;

function checkBoundaries(what: string, b: unknown): number[] {
  if (!Array.isArray(b) || b.length === 0 || !b.every((x) => Number.isInteger(x) && x > 0)) {
    throw new ValueError(
      `ParallelBucketIter: buckets.${what} must be a non-empty list of positive integers, got ${JSON.stringify(b)}`,
    );
  }
  return [...new Set(b as number[])].sort((x, y) => x - y);
}

function checkPairs(source: readonly (readonly number[])[], target: readonly (readonly number[])[]): void {
  if (!Array.isArray(source) || !Array.isArray(target))
    throw new ValueError('ParallelBucketIter: source and target must be lists of id lists');
  if (source.length !== target.length)
    throw new ValueError(`ParallelBucketIter: ${source.length} source sentences but ${target.length} target sentences`);
  for (const [what, list] of [
    ['source', source],
    ['target', target],
  ] as const) {
    list.forEach((s, i) => {
      if (!Array.isArray(s) || !s.every(isId))
        throw new ValueError(`ParallelBucketIter: ${what}[${i}] must be a list of non-negative integer ids`);
      if (what === 'source' && s.length === 0) throw new ValueError(`ParallelBucketIter: source[${i}] is empty`);
    });
  }
}

// Index of the first boundary >= len, or the length of the list when none is.
const cellOf = (bounds: readonly number[], len: number): number => {
  const i = bounds.findIndex((b) => b >= len);
  return i < 0 ? bounds.length : i;
};

interface Cell {
  readonly key: readonly [number, number];
  /** Indices of the pairs in the cell, in the current (shuffled) order. */
  readonly pairs: number[];
}

export class ParallelBucketIter extends DataIter {
  readonly sourceBuckets: readonly number[];
  readonly targetBuckets: readonly number[];
  /** Keys of the cells that received pairs, by source then target length. */
  readonly bucketKeys: readonly (readonly [number, number])[];
  override readonly defaultBucketKey: [number, number];
  readonly provideData: readonly DataDesc[];
  readonly provideLabel: readonly DataDesc[];
  /** Pairs longer than the grid on either side, dropped. */
  readonly numDiscarded: number;
  /** Pairs in discarded incomplete batches ('discard' only). */
  readonly numUnused: number;
  private readonly src: readonly (readonly number[])[];
  private readonly tgt: readonly (readonly number[])[];
  private readonly cells: Cell[];
  /** [cell index, first row] of every batch, in the current (shuffled) order. */
  private readonly plan: [number, number][];
  private readonly o: Required<Omit<ParallelBucketIterOptions, 'buckets' | 'numBuckets' | 'numParts' | 'partIndex' | 'logger'>>;
  private arrays: NDArray[][] = [];
  private currIdx = 0;

  constructor(
    source: readonly (readonly number[])[],
    target: readonly (readonly number[])[],
    batchSize: number,
    opts: ParallelBucketIterOptions,
  ) {
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new ValueError(`ParallelBucketIter: batchSize must be a positive integer, got ${batchSize}`);
    if (opts === null || typeof opts !== 'object')
      throw new ValueError('ParallelBucketIter: options (with bosId and eosId) are required');
    const unknown = Object.keys(opts).filter((k) => !KNOWN_OPTIONS.has(k));
    if (unknown.length > 0) throw new ValueError(`ParallelBucketIter: unknown option(s) ${unknown.join(', ')}`);
    super(batchSize);
    checkPairs(source, target);
    const padId = opts.padId ?? 0;
    for (const [name, v] of [
      ['padId', padId],
      ['bosId', opts.bosId],
      ['eosId', opts.eosId],
    ] as const) {
      if (!isId(v)) throw new ValueError(`ParallelBucketIter: ${name} must be a non-negative integer, got ${v}`);
    }
    const lastBatchHandle = opts.lastBatchHandle ?? 'pad';
    if (lastBatchHandle !== 'pad' && lastBatchHandle !== 'discard')
      throw new ValueError(`ParallelBucketIter: lastBatchHandle must be 'pad' or 'discard', got ${String(lastBatchHandle)}`);
    const numParts = opts.numParts ?? 1;
    const partIndex = opts.partIndex ?? 0;
    if (!Number.isInteger(numParts) || numParts < 1)
      throw new ValueError(`ParallelBucketIter: numParts must be a positive integer, got ${numParts}`);
    if (!Number.isInteger(partIndex) || partIndex < 0 || partIndex >= numParts)
      throw new ValueError(`ParallelBucketIter: partIndex must be an integer in [0, ${numParts}), got ${partIndex}`);
    this.o = {
      padId,
      bosId: opts.bosId,
      eosId: opts.eosId,
      lastBatchHandle,
      sourceName: opts.sourceName ?? 'source',
      sourceLengthName: opts.sourceLengthName ?? 'source_length',
      targetName: opts.targetName ?? 'target',
      labelName: opts.labelName ?? 'target_label',
      dtype: opts.dtype ?? 'float32',
    };
    const part = [...source.keys()].filter((i) => i % numParts === partIndex);
    if (part.length === 0)
      throw new ValueError(`ParallelBucketIter: part ${partIndex} of ${numParts} has no pairs (${source.length} pairs in all)`);
    this.src = source;
    this.tgt = target;

    const srcLen = part.map((i) => source[i]!.length);
    const tgtLen = part.map((i) => target[i]!.length + 1);
    const grid = opts.buckets ?? 'auto';
    if (grid === 'auto') {
      const nb = opts.numBuckets ?? 6;
      const [ns, nt] = typeof nb === 'number' ? [nb, nb] : nb;
      this.sourceBuckets = chooseBuckets(srcLen, ns!);
      this.targetBuckets = chooseBuckets(tgtLen, nt!);
    } else {
      if (grid === null || typeof grid !== 'object')
        throw new ValueError(`ParallelBucketIter: buckets must be 'auto' or { source, target }, got ${String(grid)}`);
      this.sourceBuckets = checkBoundaries('source', grid.source);
      this.targetBuckets = checkBoundaries('target', grid.target);
    }

    const byCell = new Map<number, number[]>();
    let discarded = 0;
    part.forEach((i, k) => {
      const a = cellOf(this.sourceBuckets, srcLen[k]!);
      const b = cellOf(this.targetBuckets, tgtLen[k]!);
      if (a === this.sourceBuckets.length || b === this.targetBuckets.length) {
        discarded += 1;
        return;
      }
      const id = a * this.targetBuckets.length + b;
      const list = byCell.get(id);
      if (list) list.push(i);
      else byCell.set(id, [i]);
    });
    this.cells = [...byCell.entries()]
      .sort((x, y) => x[0] - y[0])
      .map(([id, pairs]) => ({
        key: [
          this.sourceBuckets[Math.floor(id / this.targetBuckets.length)]!,
          this.targetBuckets[id % this.targetBuckets.length]!,
        ] as const,
        pairs,
      }));
    if (this.cells.length === 0)
      throw new ValueError(
        `ParallelBucketIter: no pair fits the grid (source [${this.sourceBuckets.join(', ')}], target [${this.targetBuckets.join(', ')}])`,
      );
    this.bucketKeys = this.cells.map((c) => c.key);
    this.numDiscarded = discarded;
    if (discarded > 0)
      (opts.logger ?? ((m: string) => console.warn(m)))(
        `WARNING: discarded ${discarded} sentence pairs longer than the largest bucket.`,
      );

    this.plan = [];
    let unused = 0;
    this.cells.forEach((c, i) => {
      const full = lastBatchHandle === 'discard' ? c.pairs.length - (c.pairs.length % batchSize) : c.pairs.length;
      unused += c.pairs.length - full;
      for (let j = 0; j < full; j += batchSize) this.plan.push([i, j]);
    });
    this.numUnused = unused;
    const maxS = this.sourceBuckets[this.sourceBuckets.length - 1]!;
    const maxT = this.targetBuckets[this.targetBuckets.length - 1]!;
    this.defaultBucketKey = [maxS, maxT];
    [this.provideData, this.provideLabel] = this.descs(batchSize, maxS, maxT);
    this.reset();
  }

  /** Batches per epoch. */
  get numBatches(): number {
    return this.plan.length;
  }

  /** Pairs and padding per cell. */
  bucketStats(): ParallelBucketStat[] {
    return this.cells.map((c) => {
      let sourceTokens = 0;
      let targetTokens = 0;
      for (const i of c.pairs) {
        sourceTokens += this.src[i]!.length;
        targetTokens += this.tgt[i]!.length + 1;
      }
      const n = c.pairs.length;
      return {
        key: c.key,
        sentences: n,
        sourceTokens,
        targetTokens,
        padding: n * (c.key[0] + c.key[1]) - sourceTokens - targetTokens,
      };
    });
  }

  private descs(rows: number, s: number, t: number): [DataDesc[], DataDesc[]] {
    const { dtype } = this.o;
    return [
      [
        new DataDesc(this.o.sourceName, [rows, s], dtype, 'NT'),
        new DataDesc(this.o.sourceLengthName, [rows], dtype, 'N'),
        new DataDesc(this.o.targetName, [rows, t], dtype, 'NT'),
      ],
      [new DataDesc(this.o.labelName, [rows, t], dtype, 'NT')],
    ];
  }

  /** Reshuffles the batch order and the pairs within each cell, and rebuilds the arrays. */
  override reset(): void {
    this.currIdx = 0;
    shuffleInPlace(this.plan);
    for (const c of this.cells) shuffleInPlace(c.pairs);
    this.releaseBatch();
    for (const a of this.arrays.flat()) a.dispose();
    this.arrays = this.cells.map((c) => this.cellArrays(c));
  }

  // The cell's rows, filler rows up to a whole number of batches last: [source, lengths, target, label].
  private cellArrays(c: Cell): NDArray[] {
    const [S, T] = c.key;
    const rows = Math.ceil(c.pairs.length / this.batchSize) * this.batchSize;
    const { padId, bosId, eosId, dtype } = this.o;
    const src = new Float64Array(rows * S).fill(padId);
    const len = new Float64Array(rows).fill(S);
    const inp = new Float64Array(rows * T).fill(padId);
    const lab = new Float64Array(rows * T).fill(padId);
    c.pairs.forEach((p, r) => {
      const s = this.src[p]!;
      const t = this.tgt[p]!;
      src.set(s, r * S);
      len[r] = s.length;
      inp[r * T] = bosId;
      inp.set(t, r * T + 1);
      lab.set(t, r * T);
      lab[r * T + t.length] = eosId;
    });
    return [
      array(src, { shape: [rows, S], dtype }),
      array(len, { shape: [rows], dtype }),
      array(inp, { shape: [rows, T], dtype }),
      array(lab, { shape: [rows, T], dtype }),
    ];
  }

  override next(): IteratorResult<DataBatch, undefined> {
    this.releaseBatch();
    if (this.currIdx === this.plan.length) return { done: true, value: undefined };
    const [i, j] = this.plan[this.currIdx]!;
    this.currIdx += 1;
    const cell = this.cells[i]!;
    const [source, lengths, target, label] = this.ownBatchArrays(this.arrays[i]!.map((a) => a.slice(j, j + this.batchSize)));
    const [provideData, provideLabel] = this.descs(this.batchSize, cell.key[0], cell.key[1]);
    return {
      done: false,
      value: new DataBatch([source!, lengths!, target!], [label!], {
        pad: Math.max(0, j + this.batchSize - cell.pairs.length),
        bucketKey: [cell.key[0], cell.key[1]],
        provideData,
        provideLabel,
      }),
    };
  }
}
