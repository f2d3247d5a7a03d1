import { DTypeError, ValueError } from './errors.js';

/** Element types, with MXNet's numeric codes (used in `.params` files and symbol JSON). */
export const DTYPE_CODES = {
  float32: 0,
  float64: 1,
  float16: 2,
  uint8: 3,
  int32: 4,
  int8: 5,
  int64: 6,
  bool: 7,
  bfloat16: 12,
} as const;

export type DType = keyof typeof DTYPE_CODES;

const CODE_TO_DTYPE = Object.fromEntries(Object.entries(DTYPE_CODES).map(([k, v]) => [v, k])) as Record<number, DType>;

export const DTYPE_BYTES: Record<DType, number> = {
  float32: 4,
  float64: 8,
  float16: 2,
  uint8: 1,
  int32: 4,
  int8: 1,
  int64: 8,
  bool: 1,
  bfloat16: 2,
};

/**
 * The typed array that `toTypedArray()` returns for each dtype. float16 and bfloat16 have no JS typed
 * array on Node 20, so they come out as Float32Array (exactly: both are subsets of float32).
 */
export interface TypedArrayFor {
  float32: Float32Array;
  float64: Float64Array;
  float16: Float32Array;
  uint8: Uint8Array;
  int32: Int32Array;
  int8: Int8Array;
  int64: BigInt64Array;
  bool: Uint8Array;
  bfloat16: Float32Array;
}

export type AnyTypedArray = TypedArrayFor[DType];

export function dtypeFromCode(code: number): DType {
  const d = CODE_TO_DTYPE[code];
  if (d === undefined) throw new DTypeError(`unknown dtype code ${code}`);
  return d;
}

export function checkDType(dtype: string, op: string): DType {
  if (typeof dtype !== 'string' || !Object.hasOwn(DTYPE_CODES, dtype)) {
    const got = typeof dtype === 'string' ? `'${dtype}'` : String(dtype);
    throw new DTypeError(`${op}: unknown dtype ${got}; expected one of ${Object.keys(DTYPE_CODES).join(', ')}`);
  }
  return dtype as DType;
}

/** The dtype that a typed array holds natively, used when `array()` is given no dtype. */
export function dtypeOfTypedArray(data: ArrayBufferView): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int8Array) return 'int8';
  throw new DTypeError(`unsupported typed array ${data.constructor.name}`);
}

/**
 * The dtype JS hands values to the native side in for `dtype`: float16 is staged as float32, and
 * bfloat16 as float64 so that the native cast rounds each value once, from its exact value.
 */
export function stagingDType(dtype: DType): Exclude<DType, 'float16' | 'bfloat16'> {
  return dtype === 'float16' ? 'float32' : dtype === 'bfloat16' ? 'float64' : dtype;
}

/**
 * Converts plain numbers (or a typed array) to the byte layout of `stagingDType(dtype)`.
 * NaN and ±Infinity have no integer value, so storing one in an integer dtype is a ValueError naming `fn`.
 */
export function toStorageArray(data: ArrayLike<number> | ArrayLike<bigint>, dtype: DType, fn = 'toStorageArray'): AnyTypedArray {
  const staged = stagingDType(dtype);
  if (staged !== 'float32' && staged !== 'float64') requireFiniteValues(data, dtype, fn);
  switch (staged) {
    case 'float32':
      return Float32Array.from(data as ArrayLike<number>, Number);
    case 'float64':
      return Float64Array.from(data as ArrayLike<number>, Number);
    case 'int32':
      return Int32Array.from(data as ArrayLike<number>, Number);
    case 'int8':
      return Int8Array.from(data as ArrayLike<number>, Number);
    case 'uint8':
    case 'bool':
      return Uint8Array.from(data as ArrayLike<number>, Number);
    case 'int64':
      return BigInt64Array.from(data as ArrayLike<number>, (v) => BigInt(Math.trunc(Number(v))));
  }
}

function requireFiniteValues(data: ArrayLike<number> | ArrayLike<bigint>, dtype: DType, fn: string): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v === 'number' && !Number.isFinite(v)) {
      throw new ValueError(`${fn}: value ${v} at position ${i} cannot be stored as ${dtype}`);
    }
  }
}

export function viewBytesAs(buf: ArrayBuffer, dtype: DType): AnyTypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(buf);
    case 'float64':
      return new Float64Array(buf);
    case 'int32':
      return new Int32Array(buf);
    case 'int8':
      return new Int8Array(buf);
    case 'uint8':
    case 'bool':
      return new Uint8Array(buf);
    case 'int64':
      return new BigInt64Array(buf);
    case 'float16':
    case 'bfloat16':
      throw new DTypeError(`${dtype} bytes must be converted to float32 before viewing`);
  }
}
