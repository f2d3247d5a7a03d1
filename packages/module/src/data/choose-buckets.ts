// Bucket boundaries for a bucketing iterator, chosen from the length histogram (the trainer's
// `--buckets auto`, and each axis of ParallelBucketIter's grid). A sentence goes to
// the smallest bucket that holds it and costs that bucket's length in computed tokens, so the total
// cost is Σ_sentences bucket(len): minimising it minimises the padding. Only lengths that occur can
// be optimal boundaries (lowering a boundary to the longest length it holds never costs more), and
// the last boundary must be the longest length, so an exact dynamic programme over the sorted
// distinct lengths finds the optimum: cost[k][i] = min_j cost[k-1][j] + len[i-1]·(count of lengths j..i-1).

import { ValueError } from '@bkt/ndarray';

/** Total computed tokens (padding included) when `lengths` go into `buckets` (ascending, last ≥ every length). */
export function paddedTokens(lengths: readonly number[], buckets: readonly number[]): number {
  let total = 0;
  for (const len of lengths) {
    const b = buckets.find((x) => x >= len);
    if (b === undefined)
      throw new ValueError(`paddedTokens: length ${len} exceeds the largest bucket ${buckets[buckets.length - 1]}`);
    total += b;
  }
  return total;
}

/**
 * At most `numBuckets` ascending bucket lengths (fewer only when fewer distinct lengths occur), the
 * last being the longest length, that minimise the padded tokens of `lengths`. Pass the lengths the
 * iterator will see (with an appended end token, the word count plus one).
 */
export function chooseBuckets(lengths: readonly number[], numBuckets: number): number[] {
  if (!Number.isInteger(numBuckets) || numBuckets < 1)
    throw new ValueError(`chooseBuckets: numBuckets must be a positive integer, got ${numBuckets}`);
  if (lengths.length === 0) throw new ValueError('chooseBuckets: lengths is empty');
  const hist = new Map<number, number>();
  for (const len of lengths) {
    if (!Number.isInteger(len) || len < 1) throw new ValueError(`chooseBuckets: lengths must be positive integers, got ${len}`);
    hist.set(len, (hist.get(len) ?? 0) + 1);
  }
  const lens = [...hist.keys()].sort((a, b) => a - b);
  const m = lens.length;
  const k = Math.min(numBuckets, m);
  // below[i]: sentences among the i shortest distinct lengths.
  const below = [0];
  for (const len of lens) below.push(below[below.length - 1]! + hist.get(len)!);
  // cost[i]: best cost of the i shortest distinct lengths with the current number of buckets, the
  // last at lens[i-1]; from[b][i]: where that last bucket's range starts.
  let cost = Array.from({ length: m + 1 }, (_, i) => (i === 0 ? 0 : lens[i - 1]! * below[i]!));
  const from: number[][] = [new Array<number>(m + 1).fill(0)];
  for (let b = 2; b <= k; b++) {
    const next = new Array<number>(m + 1).fill(Infinity);
    const arg = new Array<number>(m + 1).fill(-1);
    for (let i = b; i <= m; i++) {
      for (let j = b - 1; j < i; j++) {
        const c = cost[j]! + lens[i - 1]! * (below[i]! - below[j]!);
        if (c < next[i]!) {
          next[i] = c;
          arg[i] = j;
        }
      }
    }
    cost = next;
    from.push(arg);
  }
  const out: number[] = [];
  for (let b = k, i = m; b >= 1; i = from[b - 1]![i]!, b--) out.push(lens[i - 1]!);
  return out.reverse();
}
