import { type DType, DTYPE_CODES, checkDType } from '../dtype.js';
import { native } from '../native.js';
import { INDEX_MODES, type IndexMode, PICK_MODES, type PickMode } from '../kernel-attrs.gen.js';
import { NDArray } from '../ndarray.js';
import { checkBoolean, checkFiniteNumber, checkInteger, checkOneOf, checkOptions } from '../validate.js';
import { checkOut } from './out-option.js';

/** How out-of-range indices behave: clamp into range, wrap around, or throw IndexError. */
export type { IndexMode };

// The native functions take a position in INDEX_MODES, the table the plan kernels share.
function modeCode(mode: unknown, allowed: readonly IndexMode[], op: string): number {
  return INDEX_MODES.indexOf(checkOneOf(mode, allowed, op, 'mode', 'clip'));
}

export interface TakeOptions {
  /** The axis to gather along (MXNet default 0); negative counts from the end. */
  axis?: number;
  /** MXNet default 'clip'. */
  mode?: IndexMode;
}

/** MXNet `take`: slices of data along `axis` at `indices` (any dtype, truncated toward zero); the output has indices.shape in place of that axis. */
export function take(data: NDArray, indices: NDArray, opts?: TakeOptions): NDArray {
  const o = checkOptions(opts, ['axis', 'mode'], 'take');
  const mode = modeCode(o.mode, INDEX_MODES, 'take');
  return NDArray.fromHandle(
    native.take(data.handle, indices.handle, checkInteger(o.axis, 'take', 'axis', { fallback: 0 }), mode),
  );
}

/** MXNet `Embedding` forward: rows of weight (inputDim, outputDim) at `indices` (clipped), shape indices.shape + [outputDim]. */
export function embedding(indices: NDArray, weight: NDArray): NDArray {
  return NDArray.fromHandle(native.embedding(indices.handle, weight.handle));
}

/** MXNet `Embedding` backward: the (inputDim, outputDim) weight gradient; rows of gradOut with the same index add up. */
export function embeddingBackward(indices: NDArray, gradOut: NDArray, inputDim: number): NDArray {
  return NDArray.fromHandle(native.embeddingBackward(indices.handle, gradOut.handle, inputDim));
}

export interface OneHotOptions {
  /** The value at the index (MXNet default 1). */
  onValue?: number;
  /** Every other value (MXNet default 0). */
  offValue?: number;
  /** MXNet default 'float32'. */
  dtype?: DType;
}

/** MXNet `one_hot`: shape indices.shape + [depth]; indices outside [0, depth) give an all-off row. */
export function oneHot(indices: NDArray, depth: number, opts?: OneHotOptions): NDArray {
  const o = checkOptions(opts, ['onValue', 'offValue', 'dtype'], 'oneHot');
  const dtype = checkDType(o.dtype ?? 'float32', 'oneHot');
  const on = checkFiniteNumber(o.onValue, 'oneHot', 'onValue', { fallback: 1 });
  const off = checkFiniteNumber(o.offValue, 'oneHot', 'offValue', { fallback: 0 });
  return NDArray.fromHandle(native.oneHot(indices.handle, depth, on, off, DTYPE_CODES[dtype]));
}

export interface PickOptions {
  /** The axis to pick along (MXNet default -1). */
  axis?: number;
  /** Keep the picked axis with size 1 (MXNet default false). */
  keepdims?: boolean;
  /** MXNet default 'clip'. */
  mode?: PickMode;
  /**
   * MXNet's `out=`: the result is written into this dense array (of the result's shape and data's
   * dtype, on data's context, sharing no bytes with data or index), which is returned instead of a
   * new one; a metric picking every batch reuses one buffer this way.
   */
  out?: NDArray;
}

/** MXNet `pick`: one element of data along `axis` per entry of index (data's shape without that axis, or with it as 1). */
export function pick(data: NDArray, index: NDArray, opts?: PickOptions): NDArray {
  const o = checkOptions(opts, ['axis', 'keepdims', 'mode', 'out'], 'pick');
  const mode = modeCode(o.mode, PICK_MODES, 'pick');
  const axis = checkInteger(o.axis, 'pick', 'axis', { fallback: -1 });
  const keepdims = checkBoolean(o.keepdims, 'pick', 'keepdims', false);
  if (o.out === undefined) return NDArray.fromHandle(native.pick(data.handle, index.handle, axis, keepdims, mode));
  const out = checkOut(o.out, 'pick');
  native.pickInto(data.handle, index.handle, axis, keepdims, mode, out.handle);
  return out;
}
