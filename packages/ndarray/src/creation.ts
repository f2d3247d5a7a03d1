import { type Context, currentContext } from './context.js';
import { type DType, DTYPE_BYTES, DTYPE_CODES, checkDType, dtypeOfTypedArray, stagingDType, toStorageArray } from './dtype.js';
import { ShapeError, ValueError } from './errors.js';
import { native } from './native.js';
import { NDArray } from './ndarray.js';
import { fmt } from './reshape-shape.js';
import { checkContext, checkFiniteNumber, checkOptions, checkShapeBytes, describeValue, MAX_ELEMENTS } from './validate.js';

export interface CreateOptions {
  dtype?: DType;
  ctx?: Context;
}

const CREATE_KEYS = ['dtype', 'ctx'] as const;

export type NestedArray = number | boolean | readonly NestedArray[];

/** @internal The checked options of a creation function (random, sparse): its dtype (or `fallback`) and context. */
export function creationOptions(opts: CreateOptions | undefined, fn: string, fallback: DType): { dtype: DType; ctx: Context } {
  const o = checkOptions(opts, CREATE_KEYS, fn);
  return {
    dtype: checkDType(o.dtype ?? fallback, fn),
    ctx: o.ctx === undefined ? currentContext() : checkContext(o.ctx, fn),
  };
}

/** @internal A checked shape that an array of `dtype` may have (element and byte limits, see validate.ts). */
export function allocatableShape(shape: unknown, dtype: DType, fn: string, arg = 'shape'): number[] {
  return checkShapeBytes(shape, DTYPE_BYTES[dtype], fn, arg);
}

export function empty(shape: readonly number[], opts?: CreateOptions): NDArray {
  const { dtype, ctx } = creationOptions(opts, 'empty', 'float32');
  return NDArray.fromHandle(native.empty(allocatableShape(shape, dtype, 'empty'), DTYPE_CODES[dtype], 1, ctx.deviceId));
}

const FULL_CALLERS = { full: 0, zeros: 1, ones: 2 } as const;

function filled(
  fn: keyof typeof FULL_CALLERS,
  shape: readonly number[],
  value: number,
  opts: CreateOptions | undefined,
): NDArray {
  const { dtype, ctx } = creationOptions(opts, fn, 'float32');
  const s = allocatableShape(shape, dtype, fn);
  if (typeof value !== 'number' && typeof value !== 'boolean') {
    throw new ValueError(`${fn}: value must be a number, got ${describeValue(value)}`);
  }
  return NDArray.fromHandle(native.full(s, DTYPE_CODES[dtype], 1, ctx.deviceId, Number(value), FULL_CALLERS[fn]));
}

/** An array of `shape` with every element `value` (NaN and ±Infinity allowed, as in MXNet). */
export function full(shape: readonly number[], value: number, opts?: CreateOptions): NDArray {
  return filled('full', shape, value, opts);
}

export function zeros(shape: readonly number[], opts?: CreateOptions): NDArray {
  return filled('zeros', shape, 0, opts);
}

export function ones(shape: readonly number[], opts?: CreateOptions): NDArray {
  return filled('ones', shape, 1, opts);
}

/**
 * Copies typed-array data into a new array. The typed array's own element type is used unless
 * `dtype` says otherwise (then values are converted).
 */
export function fromTypedArray(data: ArrayBufferView, shape: readonly number[], opts?: CreateOptions): NDArray {
  return fromTypedArrayAs('fromTypedArray', data, shape, opts);
}

function fromTypedArrayAs(fn: string, data: ArrayBufferView, shape: readonly number[], opts: CreateOptions | undefined): NDArray {
  if (!ArrayBuffer.isView(data) || data instanceof DataView) {
    throw new ValueError(`${fn}: data must be a typed array, got ${describeValue(data)}`);
  }
  const own = dtypeOfTypedArray(data);
  const { dtype, ctx } = creationOptions(opts, fn, own);
  shape = allocatableShape(shape, dtype, fn);
  const count = shape.reduce((p, d) => p * d, 1);
  const length = (data as unknown as ArrayLike<number>).length;
  if (length !== count) {
    throw new ShapeError(`${fn}: ${length} values do not fill shape ${fmt(shape)}`);
  }
  if (dtype === own) return NDArray.fromHandle(native.fromBuffer(data, shape, DTYPE_CODES[dtype], 1, ctx.deviceId));
  const staged = toStorageArray(data as unknown as ArrayLike<number>, dtype, fn);
  const stagedDType = stagingDType(dtype);
  const h = native.fromBuffer(staged, shape, DTYPE_CODES[stagedDType], 1, ctx.deviceId);
  if (stagedDType === dtype) return NDArray.fromHandle(h);
  try {
    return NDArray.fromHandle(native.astype(h, DTYPE_CODES[dtype], 1, ctx.deviceId));
  } finally {
    native.dispose(h);
  }
}

/** MXNet's `mx.nd.array`: from (nested) numbers or a typed array; float32 unless told otherwise. */
export function array(data: NestedArray | ArrayBufferView, opts?: CreateOptions & { shape?: readonly number[] }): NDArray {
  const { shape, ...rest } = checkOptions(opts, ['dtype', 'ctx', 'shape'], 'array');
  const createOpts: CreateOptions = { ...rest, dtype: rest.dtype ?? 'float32' };
  if (ArrayBuffer.isView(data)) {
    const n = (data as unknown as ArrayLike<number>).length;
    return fromTypedArrayAs('array', data, shape ?? [n], createOpts);
  }
  const nested = nestedShape(data);
  const flat: number[] = [];
  flatten(data, nested, 0, flat);
  const dtype = checkDType(createOpts.dtype!, 'array');
  return fromTypedArrayAs('array', toStorageArray(flat, dtype, 'array'), shape ?? nested, createOpts);
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
    if (typeof data !== 'number' && typeof data !== 'boolean') {
      throw new ValueError(
        `array: data holds ${describeValue(data)} at position ${out.length}; only numbers and booleans are allowed`,
      );
    }
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
export function arange(start: number, stop?: number, step = 1, opts?: CreateOptions): NDArray {
  checkFiniteNumber(start, 'arange', 'start');
  if (stop !== undefined) checkFiniteNumber(stop, 'arange', 'stop');
  checkFiniteNumber(step, 'arange', 'step');
  if (step === 0) throw new ValueError('arange: step must be non-zero');
  const [lo, hi] = stop === undefined ? [0, start] : [start, stop];
  const n = Math.max(0, Math.ceil((hi - lo) / step));
  const { dtype, ctx } = creationOptions(opts, 'arange', 'float32');
  if (n > MAX_ELEMENTS) throw new ShapeError(`arange: [${lo}, ${hi}) in steps of ${step} has ${n} elements, more than 2^53`);
  allocatableShape([n], dtype, 'arange', 'length');
  return NDArray.fromHandle(native.arange(lo, step, n, DTYPE_CODES[dtype], 1, ctx.deviceId));
}
