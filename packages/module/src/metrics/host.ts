// Reading (small) arrays back to JS for the metrics' bookkeeping, always as float64.

import type { NDArray } from '@bkt/ndarray';

export function host(a: NDArray): Float64Array {
  const t = a.toTypedArray();
  if (t instanceof Float64Array) return t;
  if (t instanceof BigInt64Array) return Float64Array.from(t, Number);
  return Float64Array.from(t as ArrayLike<number>);
}

/** Runs `fn` and disposes the arrays made for it. */
export function using<T>(arrays: NDArray[], fn: () => T): T {
  try {
    return fn();
  } finally {
    for (const a of arrays) a.dispose();
  }
}
