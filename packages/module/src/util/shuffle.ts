// Shuffling driven by @bkt/ndarray's seeded generator, so that `seed(n)` makes every iterator's
// order reproducible.

import { random } from '@bkt/ndarray';

/** Fisher–Yates shuffle of `items` in place, with uniforms from the global generator. */
export function shuffleInPlace<T>(items: T[] | Int32Array): void {
  const n = items.length;
  if (n < 2) return;
  const u = random.uniform(0, 1, [n], { dtype: 'float64' });
  let draws: Float64Array;
  try {
    draws = u.toTypedArray() as Float64Array;
  } finally {
    u.dispose();
  }
  for (let i = n - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor(draws[i]! * (i + 1)));
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t as never;
  }
}
