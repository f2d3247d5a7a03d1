import { ValueError } from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';
import { chooseBuckets, paddedTokens, Rng } from '../src/corpus/index.js';

// Every choice of k boundaries among the distinct lengths that ends at the longest.
function bruteForceBest(lengths: readonly number[], k: number): number {
  const distinct = [...new Set(lengths)].sort((a, b) => a - b);
  const max = distinct.pop()!;
  let best = Infinity;
  const pick = (from: number, chosen: number[]): void => {
    if (chosen.length === k - 1) {
      let cost = 0;
      for (const len of lengths) cost += [...chosen, max].find((b) => b >= len)!;
      best = Math.min(best, cost);
      return;
    }
    for (let i = from; i < distinct.length; i++) pick(i + 1, [...chosen, distinct[i]!]);
  };
  pick(0, []);
  return best;
}

describe('chooseBuckets', () => {
  it('matches brute force on random small histograms', () => {
    const rng = new Rng(17);
    for (let t = 0; t < 300; t++) {
      const n = 1 + rng.int(40);
      const maxLen = 1 + rng.int(12);
      const lengths = Array.from({ length: n }, () => 1 + rng.int(maxLen));
      const distinct = new Set(lengths).size;
      const k = 1 + rng.int(distinct + 1);
      const buckets = chooseBuckets(lengths, k);
      expect(buckets.length).toBe(Math.min(k, distinct));
      expect(buckets[buckets.length - 1]).toBe(Math.max(...lengths));
      buckets.slice(1).forEach((b, i) => expect(b).toBeGreaterThan(buckets[i]!));
      expect(buckets.every((b) => lengths.includes(b))).toBe(true);
      expect(paddedTokens(lengths, buckets)).toBe(bruteForceBest(lengths, Math.min(k, distinct)));
    }
  });

  it('splits a two-mode histogram between the modes', () => {
    const lengths = [...new Array<number>(100).fill(5), ...new Array<number>(100).fill(40), 41];
    expect(chooseBuckets(lengths, 2)).toEqual([5, 41]);
    expect(chooseBuckets(lengths, 3)).toEqual([5, 40, 41]);
    expect(chooseBuckets(lengths, 1)).toEqual([41]);
    expect(chooseBuckets(lengths, 10)).toEqual([5, 40, 41]);
  });

  it('rejects bad arguments', () => {
    expect(() => chooseBuckets([], 3)).toThrow(ValueError);
    expect(() => chooseBuckets([3, 0], 3)).toThrow(ValueError);
    expect(() => chooseBuckets([3, 2.5], 3)).toThrow(ValueError);
    expect(() => chooseBuckets([3, 4], 0)).toThrow(ValueError);
    expect(() => paddedTokens([3, 9], [4, 8])).toThrow(ValueError);
  });
});
