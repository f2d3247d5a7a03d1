import { type Context, currentContext } from './context.js';
import { type DType, DTYPE_CODES, checkDType, dtypeOfTypedArray, toStorageArray } from './dtype.js';
import { ShapeError, ValueError } from './errors.js';
import { binding, type NativeHandle } from './native.js';
import { NDArray } from './ndarray.js';
import { fmt } from './reshape-shape.js';

interface CreationBinding {
  empty(shape: readonly number[], dtype: number, devType: number, devId: number): NativeHandle;
  full(shape: readonly number[], dtype: number, devType: number, devId: number, value: number): NativeHandle;
  fromBuffer(data: ArrayBufferView, shape: readonly number[], dtype: number, devType: number, devId: number): NativeHandle;
  arange(start: number, step: number, n: number, dtype: number, devType: number, devId: number): NativeHandle;
  astype(h: NativeHandle, dtype: number, devType: number, devId: number): NativeHandle;
  dispose(h: NativeHandle): void;
}

const native = binding<CreationBinding>();

export interface CreateOptions {
  dtype?: DType;
  ctx?: Context;
}

export type NestedArray = number | boolean | readonly NestedArray[];

function checkShape(shape: readonly number[], op: string): readonly number[] {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`${op}: invalid shape ${fmt(shape)}`);
  }
  return shape;
}

export function empty(shape: readonly number[], opts: CreateOptions = {}): NDArray {
  const ctx = opts.ctx ?? currentContext();
  const dtype = checkDType(opts.dtype ?? 'float32', 'empty');
  return NDArray.fromHandle(native.empty(checkShape(shape, 'empty'), DTYPE_CODES[dtype], 1, ctx.deviceId));
}

export function full(shape: readonly number[], value: number, opts: CreateOptions = {}): NDArray {
  const ctx = opts.ctx ?? currentContext();
  const dtype = checkDType(opts.dtype ?? 'float32', 'full');
  return NDArray.fromHandle(native.full(checkShape(shape, 'full'), DTYPE_CODES[dtype], 1, ctx.deviceId, value));
}

export function zeros(shape: readonly number[], opts: CreateOptions = {}): NDArray {
  return full(shape, 0, opts);
}

export function ones(shape: readonly number[], opts: CreateOptions = {}): NDArray {
  return full(shape, 1, opts);
}

/**
 * Copies typed-array data into a new array. The typed array's own element type is used unless
 * `dtype` says otherwise (then values are converted).
 */
export function fromTypedArray(
  data: ArrayBufferView,
  shape: readonly number[],
  opts: CreateOptions = {},
): NDArray {
  const ctx = opts.ctx ?? currentContext();
  const own = dtypeOfTypedArray(data);
  const dtype = checkDType(opts.dtype ?? own, 'fromTypedArray');
  checkShape(shape, 'fromTypedArray');
  const count = shape.reduce((p, d) => p * d, 1);
  const length = (data as unknown as ArrayLike<number>).length;
  if (length !== count) {
    throw new ShapeError(`fromTypedArray: ${length} values do not fill shape ${fmt(shape)}`);
  }
  if (dtype === own) return NDArray.fromHandle(native.fromBuffer(data, shape, DTYPE_CODES[dtype], 1, ctx.deviceId));
  const staged = toStorageArray(data as unknown as ArrayLike<number>, dtype);
  const stagedDType = dtype === 'float16' ? 'float32' : dtype;
  const h = native.fromBuffer(staged, shape, DTYPE_CODES[stagedDType], 1, ctx.deviceId);
  if (stagedDType === dtype) return NDArray.fromHandle(h);
  try {
    return NDArray.fromHandle(native.astype(h, DTYPE_CODES[dtype], 1, ctx.deviceId));
  } finally {
    native.dispose(h);
  }
}

/** MXNet's `mx.nd.array`: from (nested) numbers or a typed array; float32 unless told otherwise. */
export function array(data: NestedArray | ArrayBufferView, opts: CreateOptions & { shape?: readonly number[] } = {}): NDArray {
  if (ArrayBuffer.isView(data)) {
    const n = (data as unknown as ArrayLike<number>).length;
    return fromTypedArray(data, opts.shape ?? [n], { ...opts, dtype: opts.dtype ?? 'float32' });
  }
  const shape = nestedShape(data);
  const flat: number[] = [];
  flatten(data, shape, 0, flat);
  const dtype = opts.dtype ?? 'float32';
  return fromTypedArray(toStorageArray(flat, dtype === 'float16' ? 'float32' : dtype), opts.shape ?? shape, {
    ...opts,
    dtype,
  });
}

function nestedShape(data: NestedArray): number[] {
  const shape: number[] = [];
  let cur: NestedArray = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0] as NestedArray;
  }
  return shape;
}

function flatten(data: NestedArray, shape: number[], depth: number, out: number[]): void {
  if (depth === shape.length) {
    if (Array.isArray(data)) throw new ShapeError('array: the nested lists are ragged');
    out.push(Number(data));
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[depth]) throw new ShapeError('array: the nested lists are ragged');
  for (const item of data as readonly NestedArray[]) flatten(item, shape, depth + 1, out);
}

/**
 * Evenly spaced values in [start, stop) (MXNet's `arange`); with one argument, [0, start).
 * float32 by default.
 */
export function arange(start: number, stop?: number, step = 1, opts: CreateOptions = {}): NDArray {
  const [lo, hi] = stop === undefined ? [0, start] : [start, stop];
  if (step === 0 || !Number.isFinite(step)) throw new ValueError('arange: step must be a non-zero finite number');
  const n = Math.max(0, Math.ceil((hi - lo) / step));
  const ctx = opts.ctx ?? currentContext();
  const dtype = checkDType(opts.dtype ?? 'float32', 'arange');
  return NDArray.fromHandle(native.arange(lo, step, n, DTYPE_CODES[dtype], 1, ctx.deviceId));
}
