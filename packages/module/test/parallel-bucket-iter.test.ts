import * as nd from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';
import { chooseBuckets, type DataBatch, ParallelBucketIter, paddedTokens } from '../src/index.js';

const BOS = 1;
const EOS = 2;
const quiet = (): ((m: string) => void) => () => undefined;

// Pairs with ids from 3 so that pad/BOS/EOS stand out; source and target lengths vary independently.
function pairs(n: number, seed = 1): [number[][], number[][]] {
  let x = seed;
  const rnd = (k: number): number => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return Math.floor((x / 2147483648) * k);
  };
  const src: number[][] = [];
  const tgt: number[][] = [];
  for (let i = 0; i < n; i++) {
    src.push(Array.from({ length: 1 + rnd(9) }, () => 3 + rnd(20)));
    tgt.push(Array.from({ length: rnd(11) }, () => 3 + rnd(20)));
  }
  return [src, tgt];
}

interface Row {
  src: number[];
  tgt: number[];
}

// Every real row of an epoch, decoded back to its pair, with checks of its padding.
function epochRows(it: ParallelBucketIter): Row[] {
  const rows: Row[] = [];
  for (const b of it as Iterable<DataBatch>) {
    const [S, T] = b.bucketKey as [number, number];
    const [source, lengths, target] = b.data.map((a) => Array.from(a.toTypedArray() as Float32Array)) as [
      number[],
      number[],
      number[],
    ];
    const label = Array.from(b.label[0]!.toTypedArray() as Float32Array);
    expect(b.data[0]!.shape).toEqual([it.batchSize, S]);
    expect(b.data[2]!.shape).toEqual([it.batchSize, T]);
    expect(b.provideData!.map((d) => d.shape)).toEqual([[it.batchSize, S], [it.batchSize], [it.batchSize, T]]);
    for (let r = 0; r < it.batchSize - b.pad; r++) {
      const len = lengths[r]!;
      const srcRow = source.slice(r * S, (r + 1) * S);
      const inRow = target.slice(r * T, (r + 1) * T);
      const labRow = label.slice(r * T, (r + 1) * T);
      const tl = labRow.indexOf(EOS);
      expect(srcRow.slice(len).every((v) => v === 0)).toBe(true);
      expect(inRow[0]).toBe(BOS);
      expect(inRow.slice(1, tl + 1)).toEqual(labRow.slice(0, tl));
      expect([...inRow.slice(tl + 1), ...labRow.slice(tl + 1)].every((v) => v === 0)).toBe(true);
      rows.push({ src: srcRow.slice(0, len), tgt: labRow.slice(0, tl) });
    }
    for (let r = it.batchSize - b.pad; r < it.batchSize; r++)
      expect(label.slice(r * T, (r + 1) * T).every((v) => v === 0)).toBe(true);
  }
  return rows;
}

const key = (r: Row): string => `${r.src.join(',')}|${r.tgt.join(',')}`;

describe('ParallelBucketIter', () => {
  it('serves every pair once per epoch, padded to its cell, with BOS + target in and target + EOS out', () => {
    const [src, tgt] = pairs(300);
    const it = new ParallelBucketIter(src, tgt, 16, { bosId: BOS, eosId: EOS, numBuckets: [3, 4] });
    const want = src.map((s, i) => key({ src: s, tgt: tgt[i]! })).sort();
    for (let e = 0; e < 2; e++) {
      expect(epochRows(it).map(key).sort()).toEqual(want);
      it.reset();
    }
    expect(it.numDiscarded + it.numUnused).toBe(0);
    expect(it.defaultBucketKey).toEqual([it.sourceBuckets.at(-1), it.targetBuckets.at(-1)]);
  });

  it("chooses each axis with chooseBuckets, which together minimise the pairs' padded tokens over all grids", () => {
    const [src, tgt] = pairs(200, 7);
    const it = new ParallelBucketIter(src, tgt, 8, { bosId: BOS, eosId: EOS, numBuckets: 2 });
    const sl = src.map((s) => s.length);
    const tl = tgt.map((t) => t.length + 1);
    expect(it.sourceBuckets).toEqual(chooseBuckets(sl, 2));
    expect(it.targetBuckets).toEqual(chooseBuckets(tl, 2));
    const cost = (sb: number[], tb: number[]): number => paddedTokens(sl, sb) + paddedTokens(tl, tb);
    const best = cost([...it.sourceBuckets], [...it.targetBuckets]);
    const stats = it.bucketStats();
    expect(stats.reduce((s, c) => s + c.padding + c.sourceTokens + c.targetTokens, 0)).toBe(best);
    // brute force over every 2 × 2 grid ending at the longest lengths
    const maxS = Math.max(...sl);
    const maxT = Math.max(...tl);
    for (let a = 1; a < maxS; a++) for (let b = 1; b < maxT; b++) expect(cost([a, maxS], [b, maxT])).toBeGreaterThanOrEqual(best);
  });

  it('fills the last batch of a cell with padding rows, or drops it with lastBatchHandle discard', () => {
    const [src, tgt] = pairs(50, 3);
    const padded = new ParallelBucketIter(src, tgt, 8, { bosId: BOS, eosId: EOS, buckets: { source: [9], target: [11] } });
    const batches = [...padded].map((b) => b.pad);
    expect(batches.filter((p) => p > 0)).toEqual([7 * 8 - 50]);
    const dropped = new ParallelBucketIter(src, tgt, 8, {
      bosId: BOS,
      eosId: EOS,
      buckets: { source: [9], target: [11] },
      lastBatchHandle: 'discard',
    });
    expect(dropped.numBatches).toBe(6);
    expect(dropped.numUnused).toBe(2);
  });

  it('splits the pairs into numParts disjoint parts', () => {
    const [src, tgt] = pairs(90, 5);
    const parts = [0, 1, 2].map((partIndex) =>
      epochRows(new ParallelBucketIter(src, tgt, 4, { bosId: BOS, eosId: EOS, numParts: 3, partIndex })).map(key),
    );
    expect(parts.every((p) => p.length === 30)).toBe(true);
    expect(parts.flat().sort()).toEqual(src.map((s, i) => key({ src: s, tgt: tgt[i]! })).sort());
  });

  it('drops pairs longer than an explicit grid, with a warning', () => {
    const [src, tgt] = pairs(100, 9);
    const logs: string[] = [];
    const it = new ParallelBucketIter(src, tgt, 4, {
      bosId: BOS,
      eosId: EOS,
      buckets: { source: [4, 2], target: [6] },
      logger: (m) => logs.push(m),
    });
    const fits = src.filter((s, i) => s.length <= 4 && tgt[i]!.length + 1 <= 6).length;
    expect(it.numDiscarded).toBe(100 - fits);
    expect(epochRows(it).length).toBe(fits);
    expect(it.sourceBuckets).toEqual([2, 4]);
    expect(logs).toEqual([`WARNING: discarded ${100 - fits} sentence pairs longer than the largest bucket.`]);
  });

  it('rejects bad input with ValueErrors naming the option', () => {
    const [src, tgt] = pairs(10);
    const ok = { bosId: BOS, eosId: EOS, logger: quiet() };
    const bad: [() => unknown, RegExp][] = [
      [() => new ParallelBucketIter(src, tgt.slice(1), 2, ok), /10 source sentences but 9 target/],
      [() => new ParallelBucketIter([[], ...src.slice(1)], tgt, 2, ok), /source\[0\] is empty/],
      [() => new ParallelBucketIter(src, [[1.5], ...tgt.slice(1)], 2, ok), /target\[0\]/],
      [() => new ParallelBucketIter(src, tgt, 0, ok), /batchSize/],
      [() => new ParallelBucketIter(src, tgt, 2, { ...ok, bosId: -1 }), /bosId/],
      [() => new ParallelBucketIter(src, tgt, 2, { ...ok, numParts: 2, partIndex: 2 }), /partIndex/],
      [() => new ParallelBucketIter(src, tgt, 2, { ...ok, buckets: { source: [], target: [3] } }), /buckets.source/],
      [() => new ParallelBucketIter(src, tgt, 2, { ...ok, buckets: { source: [1], target: [1] } }), /no pair fits/],
      [() => new ParallelBucketIter(src, tgt, 2, { ...ok, lastBatchHandle: 'roll_over' as 'pad' }), /lastBatchHandle/],
      [() => new ParallelBucketIter(src, tgt, 2, { ...ok, numBucket: 3 } as never), /unknown option\(s\) numBucket/],
      [() => new ParallelBucketIter(src, tgt, 2, { ...ok, numBuckets: 0 }), /numBuckets/],
    ];
    for (const [make, msg] of bad) expect(make).toThrow(nd.ValueError), expect(make).toThrow(msg);
  });
});
