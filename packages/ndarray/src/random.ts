import { currentContext } from './context.js';
import { DTYPE_CODES, checkDType } from './dtype.js';
import { binding, type NativeHandle } from './native.js';
import { NDArray } from './ndarray.js';
import type { CreateOptions } from './creation.js';

interface RandomBinding {
  seed(n: number): void;
  randomUniform(low: number, high: number, shape: readonly number[], dtype: number, devType: number, devId: number): NativeHandle;
  randomNormal(loc: number, scale: number, shape: readonly number[], dtype: number, devType: number, devId: number): NativeHandle;
  randomRandint(low: number, high: number, shape: readonly number[], dtype: number, devType: number, devId: number): NativeHandle;
}

const native = binding<RandomBinding>();

/** Seeds the one global generator: the same seed gives the same numbers on every run and machine. */
export function seed(n: number): void {
  native.seed(Math.trunc(n));
}

/** Samples from U[low, high). float32 by default. */
export function uniform(low: number, high: number, shape: readonly number[], opts: CreateOptions = {}): NDArray {
  const dtype = checkDType(opts.dtype ?? 'float32', 'random.uniform');
  const ctx = opts.ctx ?? currentContext();
  return NDArray.fromHandle(native.randomUniform(low, high, shape, DTYPE_CODES[dtype], 1, ctx.deviceId));
}

/** Samples from N(loc, scale²). float32 by default. */
export function normal(loc: number, scale: number, shape: readonly number[], opts: CreateOptions = {}): NDArray {
  const dtype = checkDType(opts.dtype ?? 'float32', 'random.normal');
  const ctx = opts.ctx ?? currentContext();
  return NDArray.fromHandle(native.randomNormal(loc, scale, shape, DTYPE_CODES[dtype], 1, ctx.deviceId));
}

/** Samples integers uniformly from [low, high). int32 by default. */
export function randint(low: number, high: number, shape: readonly number[], opts: CreateOptions = {}): NDArray {
  const dtype = checkDType(opts.dtype ?? 'int32', 'random.randint');
  const ctx = opts.ctx ?? currentContext();
  return NDArray.fromHandle(native.randomRandint(low, high, shape, DTYPE_CODES[dtype], 1, ctx.deviceId));
}
