import { native } from '../native.js';
import { NDArray } from '../ndarray.js';
import { checkBoolean, checkOptions } from '../validate.js';

export interface DotOptions {
  /** Transpose the first input before the product. */
  transposeA?: boolean;
  /** Transpose the second input before the product. */
  transposeB?: boolean;
}

function transposeFlags(options: DotOptions | undefined, fn: string): [boolean, boolean] {
  const o = checkOptions(options, ['transposeA', 'transposeB'], fn);
  return [checkBoolean(o.transposeA, fn, 'transposeA', false), checkBoolean(o.transposeB, fn, 'transposeB', false)];
}

/**
 * MXNet's `dot`: 1-D x 1-D is the inner product (shape [1]); otherwise the last axis of `a` (its first
 * with `transposeA`) is contracted with the first axis of `b` (its last with `transposeB`), giving the
 * remaining axes of `a` then of `b`, e.g. (2, 3, 4) x (4, 5) -> (2, 3, 5).
 */
export function dot(a: NDArray, b: NDArray, options?: DotOptions): NDArray {
  return NDArray.fromHandle(native.dot(a.handle, b.handle, ...transposeFlags(options, 'dot')));
}

/**
 * MXNet's `batch_dot`: (B..., M, K) x (B..., K, N) -> (B..., M, N) for arrays of equal rank >= 3 and
 * equal batch axes; the flags transpose the last two axes of an input.
 */
export function batchDot(a: NDArray, b: NDArray, options?: DotOptions): NDArray {
  return NDArray.fromHandle(native.batchDot(a.handle, b.handle, ...transposeFlags(options, 'batchDot')));
}
