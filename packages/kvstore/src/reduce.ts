// Summing one key's pushed arrays on the context that merges them, MXNet's ElementwiseSum after the
// copies of a Comm: left to right, ((v0 + v1) + v2) ..., so every store adds in the same order.
import { add, type Context, type NDArray } from '@bkt/ndarray';

/** A merged value, and whether the store allocated it (and must dispose it) or it is a pushed array. */
export interface Merged {
  readonly array: NDArray;
  readonly owned: boolean;
}

/** `a` on `ctx`: itself, or a copy the caller disposes. */
export function onContext(a: NDArray, ctx: Context): NDArray {
  return a.context.equals(ctx) ? a : a.copyTo(ctx);
}

/** Adds `next` to an owned (or borrowed) running sum, freeing what is no longer needed. */
export function accumulate(sum: Merged | null, next: Merged): Merged {
  if (sum === null) return next;
  const total = add(sum.array, next.array);
  if (sum.owned) sum.array.dispose();
  if (next.owned) next.array.dispose();
  return { array: total, owned: true };
}

/** The sum of `values` on `ctx`. A single array already on ctx is returned as is (MXNet skips the copy too). */
export function sumOn(values: readonly NDArray[], ctx: Context): Merged {
  let sum: Merged | null = null;
  for (const v of values) {
    const local = onContext(v, ctx);
    sum = accumulate(sum, { array: local, owned: local !== v });
  }
  return sum!;
}
