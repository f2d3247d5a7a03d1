import { allocatableShape, type CreateOptions, creationOptions } from './creation.js';
import { DTYPE_CODES } from './dtype.js';
import { native } from './native.js';
import { NDArray } from './ndarray.js';
import { checkFiniteNumber, checkInteger } from './validate.js';

/**
 * Seeds this thread's generator (each Worker has its own): the same seed gives the same numbers on
 * every run and machine.
 * The seed is a non-negative integer (a NaN or fractional seed is a ValueError, as it would silently
 * pick some other stream).
 */
export function seed(n: number): void {
  native.seed(checkInteger(n, 'seed', 'n', { min: 0 }));
}

type Sampler = 'randomUniform' | 'randomNormal' | 'randomRandint';

function sample(
  fn: string,
  sampler: Sampler,
  a: number,
  b: number,
  shape: readonly number[],
  opts: CreateOptions | undefined,
  fallback: 'float32' | 'int32',
): NDArray {
  const { dtype, ctx } = creationOptions(opts, fn, fallback);
  const s = allocatableShape(shape, dtype, fn);
  return NDArray.fromHandle(native[sampler](a, b, s, DTYPE_CODES[dtype], 1, ctx.deviceId));
}

/** Samples from U[low, high). float32 by default. */
export function uniform(low: number, high: number, shape: readonly number[], opts?: CreateOptions): NDArray {
  const fn = 'random.uniform';
  return sample(
    fn,
    'randomUniform',
    checkFiniteNumber(low, fn, 'low'),
    checkFiniteNumber(high, fn, 'high'),
    shape,
    opts,
    'float32',
  );
}

/** Samples from N(loc, scale²). float32 by default. */
export function normal(loc: number, scale: number, shape: readonly number[], opts?: CreateOptions): NDArray {
  const fn = 'random.normal';
  return sample(
    fn,
    'randomNormal',
    checkFiniteNumber(loc, fn, 'loc'),
    checkFiniteNumber(scale, fn, 'scale'),
    shape,
    opts,
    'float32',
  );
}

/** Samples integers uniformly from [low, high). int32 by default. */
export function randint(low: number, high: number, shape: readonly number[], opts?: CreateOptions): NDArray {
  const fn = 'random.randint';
  return sample(fn, 'randomRandint', checkInteger(low, fn, 'low'), checkInteger(high, fn, 'high'), shape, opts, 'int32');
}
