// numParts / partIndex: each worker of a distributed job reads its own part of the data.
import { arange, seed, ValueError } from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';

import { BucketSentenceIter, NDArrayIter } from '../src/index.js';

/** The first column of every batch, read as each batch is served (the iterator frees it at the next). */
function firstColumn(iter: NDArrayIter): number[] {
  const out: number[] = [];
  for (const b of iter) out.push(...Array.from(b.data[0]!.toArray()).filter((_, i) => i % 2 === 0));
  return out;
}

describe('NDArrayIter numParts / partIndex', () => {
  it('serves contiguous parts that cover the examples once, with sizes differing by at most one', () => {
    const data = arange(0, 22).reshape([11, 2]);
    const parts = [0, 1, 2].map((p) => firstColumn(new NDArrayIter(data, null, { batchSize: 1, numParts: 3, partIndex: p })));
    expect(parts).toEqual([
      [0, 2, 4],
      [6, 8, 10, 12],
      [14, 16, 18, 20],
    ]);
    const part = new NDArrayIter(data, null, {
      batchSize: 2,
      numParts: 3,
      partIndex: 1,
      shuffle: true,
      lastBatchHandle: 'discard',
    });
    expect(part.numData).toBe(4);
    seed(1);
    expect(firstColumn(part).sort((a, b) => a - b)).toEqual([6, 8, 10, 12]);
  });

  it('rejects a bad partition with a ValueError', () => {
    const data = arange(0, 4).reshape([2, 2]);
    expect(() => new NDArrayIter(data, null, { numParts: 0 })).toThrow(/numParts must be an integer >= 1, got 0/);
    expect(() => new NDArrayIter(data, null, { numParts: 2, partIndex: 2 })).toThrow(
      /partIndex must be an integer in \[0, 2\), got 2/,
    );
    expect(() => new NDArrayIter(data, null, { numParts: 3, partIndex: 0 })).toThrow(ValueError);
  });
});

describe('BucketSentenceIter numParts / partIndex', () => {
  const sentences = Array.from({ length: 40 }, (_, i) =>
    Array.from({ length: 3 + (i % 3) * 2 }, (_, t) => 1 + ((i * 7 + t) % 9)),
  );
  const batches = (opts: { numParts?: number; partIndex?: number }): string[] => {
    seed(4);
    const iter = new BucketSentenceIter(sentences, 4, { invalidLabel: 0, ...opts });
    const served: string[] = [];
    for (const b of iter) served.push(`${String(b.bucketKey)}:${Array.from(b.data[0]!.toArray()).join(',')}`);
    return served;
  };

  it('splits one epoch of batches between the parts, the same number to each, none served twice', () => {
    const all = batches({});
    expect(all).toHaveLength(9);
    const parts = [0, 1].map((p) => batches({ numParts: 2, partIndex: p }));
    expect(parts[0]).toHaveLength(4);
    expect(parts[1]).toHaveLength(4);
    expect(new Set([...parts[0]!, ...parts[1]!]).size).toBe(8);
    for (const b of [...parts[0]!, ...parts[1]!]) expect(all).toContain(b);
  });

  it('rejects a bad partition with a ValueError', () => {
    expect(() => new BucketSentenceIter(sentences, 4, { numParts: 2, partIndex: -1 })).toThrow(
      /BucketSentenceIter: partIndex must be an integer in \[0, 2\)/,
    );
  });
});
