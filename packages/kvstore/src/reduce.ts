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

/**
 * Each pushed array's copy on the merging context, kept for the next push of the same array (the
 * executors push the same gradient arrays every batch): one copy per remote gradient, like MXNet's
 * Comm merge buffers, instead of a new array per key and batch. An entry goes with its source array
 * (an NDArray's shape and dtype never change, so only the context can differ).
 */
const copyBuffers = new WeakMap<NDArray, NDArray>();

/** `a` copied into its reused buffer on `ctx`. */
function bufferedCopy(a: NDArray, ctx: Context): NDArray {
  const buf = copyBuffers.get(a);
  if (buf !== undefined && !buf.isDisposed && buf.context.equals(ctx)) return a.copyTo(buf);
  buf?.dispose();
  const made = a.copyTo(ctx);
  copyBuffers.set(a, made);
  return made;
}

/**
 * The sum of `values` on `ctx`. A single array already on ctx is returned as is (MXNet skips the
 * copy too); dense arrays on other contexts are copied into buffers reused from push to push, which
 * the result borrows when it is one of them (owned: false, valid until the next push of that array).
 */
export function sumOn(values: readonly NDArray[], ctx: Context): Merged {
  let sum: Merged | null = null;
  for (const v of values) {
    let local: Merged;
    if (v.context.equals(ctx)) local = { array: v, owned: false };
    else if (v.stype === 'default') local = { array: bufferedCopy(v, ctx), owned: false };
    else local = { array: v.copyTo(ctx), owned: true };
    sum = accumulate(sum, local);
  }
  return sum!;
}
