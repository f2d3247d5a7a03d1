// Summing one key's pushed arrays on the context that merges them, MXNet's ElementwiseSum after the
// copies of a Comm: left to right, ((v0 + v1) + v2) ..., so every store adds in the same order.
// Dense sums go into buffers kept from push to push, so a training step makes no arrays here.
import { add, type Context, empty, type NDArray } from '@bkt/ndarray';

/** A merged value, and whether the store allocated it (and must dispose it) or borrows it (a pushed array or a reused buffer). */
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
 * Arrays reused from push to push, keyed by a pushed array (the executors push the same gradient
 * arrays every batch), like MXNet's Comm buffers: each remote array's copy on the merging context,
 * and each key's merge buffer, keyed by its first pushed array, that the sum is written into. An
 * entry goes with its source array (an NDArray's shape and dtype never change, so only the context
 * can differ).
 */
const copyBuffers = new WeakMap<NDArray, NDArray>();
const mergeBuffers = new WeakMap<NDArray, NDArray>();

/** The buffer `buffers` keeps for `a` on `ctx`, made by `make` the first time (or after a context change). */
function reused(buffers: WeakMap<NDArray, NDArray>, a: NDArray, ctx: Context, make: () => NDArray): NDArray {
  const buf = buffers.get(a);
  if (buf !== undefined && !buf.isDisposed && buf.context.equals(ctx)) return buf;
  buf?.dispose();
  const made = make();
  buffers.set(a, made);
  return made;
}

/** `a` copied into its reused buffer on `ctx`. */
function bufferedCopy(a: NDArray, ctx: Context): NDArray {
  return a.copyTo(reused(copyBuffers, a, ctx, () => empty(a.shape, { dtype: a.dtype, ctx })));
}

/**
 * The sum of `values` on `ctx`. A single array already on ctx is returned as is (MXNet skips the
 * copy too); dense arrays on other contexts are copied into buffers reused from push to push, and
 * dense values are summed in place into the key's merge buffer. The result borrows those buffers
 * (owned: false, valid until the next push of the same arrays); only a sum involving sparse arrays
 * is a new array the caller owns.
 */
export function sumOn(values: readonly NDArray[], ctx: Context): Merged {
  if (values.some((v) => v.stype !== 'default')) return sumAllocated(values, ctx);
  const local = (v: NDArray): NDArray => (v.context.equals(ctx) ? v : bufferedCopy(v, ctx));
  const first = local(values[0]!);
  if (values.length === 1) return { array: first, owned: false };
  const sum = reused(mergeBuffers, values[0]!, ctx, () => empty(first.shape, { dtype: first.dtype, ctx }));
  add(first, local(values[1]!), { out: sum });
  for (let k = 2; k < values.length; k++) add(sum, local(values[k]!), { out: sum });
  return { array: sum, owned: false };
}

/** The sum in new arrays, for values that include sparse ones (their copies are not kept). */
function sumAllocated(values: readonly NDArray[], ctx: Context): Merged {
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
