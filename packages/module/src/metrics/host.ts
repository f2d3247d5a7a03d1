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

/**
 * `label` reshaped to `shape` on `pred`'s context, for pick(): with several contexts the executor
 * group hands a metric each device's outputs with labels that stay where the batch was made (MXNet's
 * metrics read both back to numpy, so there it never mattered).
 */
export function indexOn(label: NDArray, pred: NDArray, shape: readonly number[]): NDArray {
  if (label.context.equals(pred.context)) return label.reshape(shape);
  const moved = label.copyTo(pred.context);
  try {
    return moved.reshape(shape);
  } finally {
    moved.dispose();
  }
}
