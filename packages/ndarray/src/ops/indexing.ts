import { type DType, DTYPE_CODES, checkDType } from '../dtype.js';
import { ValueError } from '../errors.js';
import { binding, type NativeHandle } from '../native.js';
import { NDArray } from '../ndarray.js';

interface IndexingBinding {
  take(data: NativeHandle, indices: NativeHandle, axis: number, mode: number): NativeHandle;
  embedding(indices: NativeHandle, weight: NativeHandle): NativeHandle;
  embeddingBackward(indices: NativeHandle, gradOut: NativeHandle, inputDim: number): NativeHandle;
  oneHot(indices: NativeHandle, depth: number, onValue: number, offValue: number, dtype: number): NativeHandle;
  pick(data: NativeHandle, index: NativeHandle, axis: number, keepdims: boolean, mode: number): NativeHandle;
}

const native = binding<IndexingBinding>();

/** How out-of-range indices behave: clamp into range, wrap around, or throw IndexError. */
export type IndexMode = 'clip' | 'wrap' | 'raise';

const MODE_CODES: Record<IndexMode, number> = { clip: 0, wrap: 1, raise: 2 };

function modeCode(mode: string, allowed: readonly IndexMode[], op: string): number {
  if (!(allowed as readonly string[]).includes(mode)) {
    throw new ValueError(`${op}: mode must be one of ${allowed.map((m) => `'${m}'`).join(', ')}, got '${mode}'`);
  }
  return MODE_CODES[mode as IndexMode];
}

export interface TakeOptions {
  /** The axis to gather along (MXNet default 0); negative counts from the end. */
  axis?: number;
  /** MXNet default 'clip'. */
  mode?: IndexMode;
}

/** MXNet `take`: slices of data along `axis` at `indices` (any dtype, truncated toward zero); the output has indices.shape in place of that axis. */
export function take(data: NDArray, indices: NDArray, opts: TakeOptions = {}): NDArray {
  const mode = modeCode(opts.mode ?? 'clip', ['clip', 'wrap', 'raise'], 'take');
  return NDArray.fromHandle(native.take(data.handle, indices.handle, opts.axis ?? 0, mode));
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
export function oneHot(indices: NDArray, depth: number, opts: OneHotOptions = {}): NDArray {
  const dtype = checkDType(opts.dtype ?? 'float32', 'oneHot');
  return NDArray.fromHandle(
    native.oneHot(indices.handle, depth, opts.onValue ?? 1, opts.offValue ?? 0, DTYPE_CODES[dtype]),
  );
}

export interface PickOptions {
  /** The axis to pick along (MXNet default -1). */
  axis?: number;
  /** Keep the picked axis with size 1 (MXNet default false). */
  keepdims?: boolean;
  /** MXNet default 'clip'. */
  mode?: 'clip' | 'wrap';
}

/** MXNet `pick`: one element of data along `axis` per entry of index (data's shape without that axis, or with it as 1). */
export function pick(data: NDArray, index: NDArray, opts: PickOptions = {}): NDArray {
  const mode = modeCode(opts.mode ?? 'clip', ['clip', 'wrap'], 'pick');
  return NDArray.fromHandle(native.pick(data.handle, index.handle, opts.axis ?? -1, opts.keepdims ?? false, mode));
}
