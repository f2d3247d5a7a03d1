// A fixed discrete distribution: sampling by binary search on the cumulative table, exact log
// probabilities and entropy in nats.

import { ValueError } from '@bkt/ndarray';
import type { Rng } from './rng.js';

/** A distribution over 0..n-1 given by non-negative weights (normalised here). */
export class Categorical {
  readonly probs: Float64Array;
  private readonly cum: Float64Array;

  constructor(weights: readonly number[]) {
    const total = weights.reduce((s, w) => s + w, 0);
    if (weights.length === 0 || !(total > 0) || weights.some((w) => !(w >= 0) || !Number.isFinite(w))) {
      throw new ValueError(`Categorical: weights must be finite, non-negative and not all zero, got [${weights.join(', ')}]`);
    }
    this.probs = Float64Array.from(weights, (w) => w / total);
    this.cum = new Float64Array(weights.length);
    let acc = 0;
    this.probs.forEach((p, i) => (this.cum[i] = acc += p));
  }

  get size(): number {
    return this.probs.length;
  }

  /** Draws one outcome. */
  sample(rng: Rng): number {
    const u = rng.next() * this.cum[this.cum.length - 1]!;
    let lo = 0;
    let hi = this.cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cum[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Entropy in nats. */
  entropy(): number {
    let h = 0;
    for (const p of this.probs) if (p > 0) h -= p * Math.log(p);
    return h;
  }
}

/** Zipf weights 1/r^exponent for ranks 1..n. */
export function zipfWeights(n: number, exponent: number): number[] {
  return Array.from({ length: n }, (_, i) => 1 / (i + 1) ** exponent);
}
