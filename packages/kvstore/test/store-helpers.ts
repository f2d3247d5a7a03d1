// Small helpers shared by the kvstore tests (the generic ones come from the ndarray test helpers).
import { type Context, cpu, fromTypedArray, NDArray } from '@bkt/ndarray';
import { expect } from 'vitest';

import { makeRng, randomValues, values } from '../../ndarray/test/helpers.js';

export const DEVICES: readonly Context[] = [cpu(0), cpu(1)];

/** A float32 array of `shape` on `ctx` from numbers. */
export function f32(xs: ArrayLike<number>, shape: readonly number[], ctx: Context = cpu(0)): NDArray {
  return fromTypedArray(Float32Array.from(xs), shape, { ctx });
}

/** One random float32 array per device, all of `shape`, with values in [lo, hi). */
export function perDevice(rng: () => number, shape: readonly number[], lo = -1, hi = 1): NDArray[] {
  const n = shape.reduce((p, d) => p * d, 1);
  return DEVICES.map((ctx) => f32(randomValues(rng, n, lo, hi), shape, ctx));
}

/** Exact equality of two arrays' elements (float32 values compare bit for bit through float64). */
export function expectSameValues(actual: NDArray, expected: NDArray | ArrayLike<number>): void {
  const want = expected instanceof NDArray ? values(expected) : expected;
  expect(Array.from(values(actual))).toEqual(Array.from(want));
}

export { makeRng };
