// Shared helpers for the kernel tests: seeded data, index arithmetic for the float64 references,
// and closeness checks. References are written plainly here so they never share code with a kernel.
import { expect } from 'vitest';

import { type DType, fromTypedArray, type NDArray } from '../src/index.js';
import { Plan } from '../src/internal.js';

export { makeRng } from './rng.js';

export function randomValues(rng: () => number, n: number, lo = -1, hi = 1): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rng();
  return out;
}

export function randomShape(rng: () => number, ndim: number, maxDim = 5, minDim = 0): number[] {
  return Array.from({ length: ndim }, () => minDim + Math.floor(rng() * (maxDim - minDim + 1)));
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/** The multi-index of flat position `flat` in a row-major array of `shape`. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    idx[i] = d === 0 ? 0 : flat % d;
    flat = d === 0 ? 0 : Math.floor(flat / d);
  }
  return idx;
}

export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let flat = 0;
  for (let i = 0; i < shape.length; i++) flat = flat * shape[i]! + idx[i]!;
  return flat;
}

/** Creates an NDArray of `dtype` from float64 values. */
export function nd(values: ArrayLike<number>, shape: readonly number[], dtype: DType = 'float32'): NDArray {
  return fromTypedArray(Float64Array.from(values), shape, { dtype });
}

/** Reads an NDArray back as float64 numbers. */
export function values(a: NDArray): Float64Array {
  return Float64Array.from(a.toArray());
}

/** Element-wise |a - e| <= atol + rtol * |e|, with NaN equal to NaN and matching infinities. */
export function expectAllClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  { rtol = 1e-5, atol = 1e-6 }: { rtol?: number; atol?: number } = {},
): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (!Number.isFinite(e) && a === e) continue;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      expect.fail(`element ${i}: got ${a}, expected ${e} (rtol ${rtol}, atol ${atol})`);
    }
  }
}

/** Tolerances that suit a dtype's precision. */
export function tolerance(dtype: DType): { rtol: number; atol: number } {
  return dtype === 'float64' ? { rtol: 1e-12, atol: 1e-12 } : { rtol: 1e-5, atol: 1e-6 };
}

/** Asserts that fn throws an instance of `cls` whose message matches `message` (e.g. names the op). */
export function expectError(fn: () => unknown, cls: abstract new (...args: never[]) => Error, message: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) expect.fail(`expected ${cls.name} matching ${message}, but nothing was thrown`);
  expect(thrown).toBeInstanceOf(cls);
  expect((thrown as Error).message).toMatch(message);
}

/** A binary float format by its significand bits after the point, smallest normal exponent and overflow threshold. */
interface FloatFormat {
  fractionBits: number;
  minExponent: number;
  /** The smallest magnitude that rounds to infinity (halfway past the largest finite value). */
  overflow: number;
}
const FLOAT16: FloatFormat = { fractionBits: 10, minExponent: -14, overflow: 65520 };
const BFLOAT16: FloatFormat = { fractionBits: 7, minExponent: -126, overflow: (2 - 2 ** -8) * 2 ** 127 };

/** The spacing of `format` at |v| (normal or subnormal): the reference's unit of rounding. */
function spacing(format: FloatFormat, v: number): number {
  const a = Math.abs(v);
  if (a < 2 ** format.minExponent) return 2 ** (format.minExponent - format.fractionBits);
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  return 2 ** (e - format.fractionBits);
}

/** A float64 rounded to the nearest value of `format` (ties to even), written independently of the kernels. */
function roundTo(format: FloatFormat, v: number): number {
  if (!Number.isFinite(v) || v === 0) return v;
  const a = Math.abs(v);
  if (a >= format.overflow) return Math.sign(v) * Infinity;
  const ulp = spacing(format, a);
  const q = a / ulp;
  const f = Math.floor(q);
  const r = q - f > 0.5 || (q - f === 0.5 && f % 2 === 1) ? f + 1 : f;
  return Math.sign(v) * r * ulp;
}

export const halfUlp = (v: number): number => spacing(FLOAT16, v);
export const roundToHalf = (v: number): number => roundTo(FLOAT16, v);
/** bfloat16: float32's exponent range with 8 significant bits. */
export const roundToBFloat16 = (v: number): number => roundTo(BFLOAT16, v);

/**
 * A result in `format` against a float64 reference: equal to the reference rounded to `format`, or
 * one step of it away (computing in float32 first may land a near-tie on the other side).
 */
function expectRoundedClose(format: FloatFormat, name: string, actual: ArrayLike<number>, reference: ArrayLike<number>): void {
  expect(actual.length).toBe(reference.length);
  for (let i = 0; i < reference.length; i++) {
    const a = actual[i]!;
    const e = roundTo(format, reference[i]!);
    if (Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)) || a === e) continue;
    if (!(Math.abs(a - e) <= spacing(format, e))) {
      expect.fail(`element ${i}: got ${a}, expected ${e} (${reference[i]} rounded to ${name}, within one ${name} step)`);
    }
  }
}

export const expectHalfClose = (actual: ArrayLike<number>, reference: ArrayLike<number>): void =>
  expectRoundedClose(FLOAT16, 'float16', actual, reference);
export const expectBFloat16Close = (actual: ArrayLike<number>, reference: ArrayLike<number>): void =>
  expectRoundedClose(BFLOAT16, 'bfloat16', actual, reference);

// erf(x) = 2/√π · e^(-x²) · Σ 2ⁿ x^(2n+1) / (2n+1)!!, a series of positive terms (no cancellation).
export function erfReference(x: number): number {
  if (Math.abs(x) > 5) return Math.sign(x);
  let term = x;
  let sum = x;
  for (let n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
    term *= (2 * x * x) / (2 * n + 1);
    sum += term;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
}

/** ||got - want|| / ||want||: the error of a whole array, as mixed-precision (bfloat16) results are judged. */
export function relativeError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < want.length; i++) {
    diff += (got[i]! - want[i]!) ** 2;
    norm += want[i]! ** 2;
  }
  return Math.sqrt(diff / Math.max(norm, 1e-30));
}

/**
 * FullyConnected with bias, forward (instruction 0) and backward (instruction 1), on one Plan over
 * `slots`: x, w, b, out, out_grad, dx, dw, db.
 */
export function fullyConnectedPlan(slots: readonly NDArray[], numHidden: number): Plan {
  const attrs = [numHidden, 0, 1];
  const plan = new Plan(
    [
      { kernel: 'fully_connected', inputs: [0, 1, 2], outputs: [3], attrs, node: 0 },
      { kernel: 'fully_connected_backward', inputs: [4, 0, 1], outputs: [5, 6, 7], attrs, node: 1 },
    ],
    ['fc', 'fc_backward'],
    slots.length,
  );
  slots.forEach((a, i) => plan.setSlot(i, a));
  return plan;
}
