// float16 and bfloat16 compute in the element-wise and reduction kernels: each computes in float32
// and rounds to its type on store (ties to even), as MXNet does on CPU. Results are checked against a
// float64 reference over the 16-bit inputs, rounded by the test helpers' own rounding; error cases
// for other dtypes and for the kernels that do not compute bfloat16 are kept.
import { describe, expect, it } from 'vitest';

import {
  abs,
  add,
  argmax,
  type BinaryFn,
  clip,
  divide,
  DTypeError,
  equal,
  erf,
  exp,
  greater,
  lesserEqual,
  log,
  max,
  maximum,
  mean,
  min,
  minimum,
  multiply,
  type NDArray,
  negative,
  norm,
  ones,
  power,
  reciprocal,
  relu,
  rsqrt,
  sigmoid,
  sign,
  softrelu,
  sqrt,
  square,
  subtract,
  sum,
  tanh,
  type UnaryFn,
} from '../src/index.js';
import {
  erfReference,
  expectBFloat16Close,
  expectError,
  expectHalfClose,
  halfUlp,
  makeRng,
  nd,
  randomValues,
  roundToBFloat16,
  roundToHalf,
  sizeOf,
  values,
} from './helpers.js';

const rng = makeRng(16);

type Low = 'float16' | 'bfloat16';
/** Both 16-bit float types, each with its own rounding of a float64 (the test helpers', not the kernels'). */
const FORMATS: [Low, (v: number) => number][] = [
  ['float16', roundToHalf],
  ['bfloat16', roundToBFloat16],
];

/** An array of `dtype` of random values in [lo, hi] and the float64 values it actually holds. */
function low(dtype: Low, shape: number[], lo = -2, hi = 2): [NDArray, Float64Array] {
  const a = nd(randomValues(rng, sizeOf(shape), lo, hi), shape, dtype);
  return [a, values(a)];
}

/** `out` has `dtype` and `shape`, and its values are the reference rounded to `dtype`, within one step. */
function expectLow(dtype: Low, out: NDArray, shape: number[], reference: ArrayLike<number>): void {
  expect(out.dtype).toBe(dtype);
  expect(out.shape).toEqual(shape);
  (dtype === 'float16' ? expectHalfClose : expectBFloat16Close)(values(out), reference);
}

describe('the float16 reference', () => {
  it('rounds to nearest, ties to even, overflows to infinity and keeps subnormals', () => {
    expect(roundToHalf(1 + 2 ** -11)).toBe(1);
    expect(roundToHalf(1 + 3 * 2 ** -11)).toBe(1 + 2 ** -9);
    expect(roundToHalf(65519)).toBe(65504);
    expect(roundToHalf(-65520)).toBe(-Infinity);
    expect(roundToHalf(2 ** -25)).toBe(0);
    expect(roundToHalf(3 * 2 ** -26)).toBe(2 ** -24);
    expect(roundToHalf(0.1)).toBe(0.0999755859375);
    expect(halfUlp(1024)).toBe(1);
    expect(halfUlp(0.999)).toBe(2 ** -11);
  });
});

describe.each(FORMATS)('%s unary ops', (dtype) => {
  const cases: [string, UnaryFn, (v: number) => number, number, number][] = [
    ['exp', exp, Math.exp, -3, 3],
    ['log', log, Math.log, 0.1, 5],
    ['sqrt', sqrt, Math.sqrt, 0, 9],
    ['rsqrt', rsqrt, (v) => 1 / Math.sqrt(v), 0.1, 9],
    ['square', square, (v) => v * v, -20, 20],
    ['abs', abs, Math.abs, -3, 3],
    ['sign', sign, Math.sign, -3, 3],
    ['tanh', tanh, Math.tanh, -3, 3],
    ['sigmoid', sigmoid, (v) => 1 / (1 + Math.exp(-v)), -6, 6],
    ['relu', relu, (v) => Math.max(v, 0), -3, 3],
    ['softrelu', softrelu, (v) => Math.log1p(Math.exp(v)), -6, 6],
    ['negative', negative, (v) => -v, -3, 3],
    ['reciprocal', reciprocal, (v) => 1 / v, 0.05, 4],
    ['erf', erf, erfReference, -3, 3],
  ];
  it.each(cases)('%s matches the float64 reference rounded to the type', (_, f, ref, lo, hi) => {
    // 70,000 elements reach the thread pool's chunking as well as the single-thread path.
    for (const shape of [[3, 7], [70_000]]) {
      const [x, xv] = low(dtype, shape, lo, hi);
      expectLow(dtype, f(x), shape, xv.map(ref));
    }
  });

  it('clip limits the data to the bounds, rounded to the type', () => {
    const [x, xv] = low(dtype, [50], -3, 3);
    expectLow(
      dtype,
      clip(x, -1.3, 0.7),
      [50],
      xv.map((v) => Math.min(Math.max(v, -1.3), 0.7)),
    );
  });
});

describe.each(FORMATS)('%s binary ops', (dtype, round) => {
  const cases: [string, BinaryFn, (l: number, r: number) => number][] = [
    ['add', add, (l, r) => l + r],
    ['subtract', subtract, (l, r) => l - r],
    ['multiply', multiply, (l, r) => l * r],
    ['divide', divide, (l, r) => l / r],
    ['power', power, (l, r) => l ** r],
    ['maximum', maximum, Math.max],
    ['minimum', minimum, Math.min],
  ];
  it.each(cases)('%s: same shapes, broadcast and scalar on either side', (name, f, ref) => {
    const positive = name === 'power' || name === 'divide';
    const lo = positive ? 0.25 : -4;
    const [a, av] = low(dtype, [4, 3], lo, 4);
    const [b, bv] = low(dtype, [4, 3], lo, 4);
    expectLow(
      dtype,
      f(a, b),
      [4, 3],
      av.map((v, i) => ref(v, bv[i]!)),
    );

    const [c, cv] = low(dtype, [5, 1, 3], lo, 4);
    const [d, dv] = low(dtype, [2, 1], lo, 4);
    // (5, 1, 3) with (2, 1) broadcasts to (5, 2, 3).
    const expected = Array.from({ length: 30 }, (_, i) => ref(cv[Math.floor(i / 6) * 3 + (i % 3)]!, dv[Math.floor(i / 3) % 2]!));
    expectLow(dtype, f(c, d), [5, 2, 3], expected);

    // The scalar is rounded to the operand's type first, as MXNet casts it to the operand's type.
    const s = round(1.3);
    expectLow(
      dtype,
      f(a, 1.3),
      [4, 3],
      av.map((v) => ref(v, s)),
    );
    expectLow(
      dtype,
      f(1.3, a),
      [4, 3],
      av.map((v) => ref(s, v)),
    );
  });

  it('comparisons give 0 and 1 in the type', () => {
    const a = nd([-1, 0.5, 2, 0.5], [4], dtype);
    const b = nd([0.5], [1], dtype);
    expectLow(dtype, equal(a, b), [4], [0, 1, 0, 1]);
    expectLow(dtype, greater(a, 0.5), [4], [0, 0, 1, 0]);
    expectLow(dtype, lesserEqual(0.5, a), [4], [0, 1, 1, 1]);
  });
});

describe.each(FORMATS)('%s reductions', (dtype) => {
  it.each([
    ['sum', sum, (v: number[]) => v.reduce((p, x) => p + x, 0)],
    ['mean', mean, (v: number[]) => v.reduce((p, x) => p + x, 0) / v.length],
    ['max', max, (v: number[]) => Math.max(...v)],
    ['min', min, (v: number[]) => Math.min(...v)],
    ['norm', norm, (v: number[]) => Math.sqrt(v.reduce((p, x) => p + x * x, 0))],
  ] as const)('%s over inner, outer and all axes matches the rounded float64 reference', (_, f, ref) => {
    const [x, xv] = low(dtype, [6, 5, 40]);
    const at = (i: number, j: number, k: number): number => xv[(i * 5 + j) * 40 + k]!;
    const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
    expectLow(
      dtype,
      f(x, { axis: 2 }),
      [6, 5],
      range(30).map((o) => ref(range(40).map((k) => at(Math.floor(o / 5), o % 5, k)))),
    );
    expectLow(
      dtype,
      f(x, { axis: 0, keepdims: true }),
      [1, 5, 40],
      range(200).map((o) => ref(range(6).map((i) => at(i, Math.floor(o / 40), o % 40)))),
    );
    expectLow(dtype, f(x), [1], [ref(Array.from(xv))]);
  });
});

describe('float16 range and rounding', () => {
  it('overflows to infinity and keeps NaN', () => {
    expect(Array.from(values(exp(nd([12, NaN, -30], [3], 'float16'))))).toEqual([Infinity, NaN, 0]);
  });

  it('rounds each result once, to nearest with ties to even', () => {
    const one = nd([1, 1 + 2 ** -10], [2], 'float16');
    // Both sums fall exactly halfway between two float16 values: the even neighbour wins.
    expect(Array.from(values(add(one, 2 ** -11)))).toEqual([1, 1 + 2 ** -9]);
    expect(Array.from(values(multiply(nd([300], [1], 'float16'), 300)))).toEqual([Infinity]);
  });

  it('accumulates beyond float16 precision: 4096 ones sum to 4096, not 2048', () => {
    expect(Array.from(values(sum(ones([4096], { dtype: 'float16' }))))).toEqual([4096]);
    expect(Array.from(values(mean(ones([3, 4096], { dtype: 'float16' }), { axis: 1 })))).toEqual([1, 1, 1]);
  });

  it('gives 0 for an empty float16 sum and NaN for an empty mean', () => {
    const empty = nd([], [2, 0], 'float16');
    expect(Array.from(values(sum(empty, { axis: 1 })))).toEqual([0, 0]);
    expect(Array.from(values(mean(empty, { axis: 1 })))).toEqual([NaN, NaN]);
  });
});

describe('bfloat16 range and rounding', () => {
  it('keeps float32 range: exp(80) is finite in bfloat16 where float16 overflows', () => {
    const out = values(exp(nd([80, NaN, -200], [3], 'bfloat16')));
    expect(out[0]).toBe(roundToBFloat16(Math.exp(80)));
    expect(Array.from(out.slice(1))).toEqual([NaN, 0]);
  });

  it('rounds each result once, to nearest with ties to even', () => {
    const one = nd([1, 1 + 2 ** -7], [2], 'bfloat16');
    // Both sums fall exactly halfway between two bfloat16 values: the even neighbour wins.
    expect(Array.from(values(add(one, 2 ** -8)))).toEqual([1, 1 + 2 ** -6]);
  });

  it('accumulates beyond bfloat16 precision: 1024 ones sum to 1024, not 256', () => {
    expect(Array.from(values(sum(ones([1024], { dtype: 'bfloat16' }))))).toEqual([1024]);
  });
});

describe('float16 copy and cast', () => {
  it('astype rounds float32 and float64 to float16 and widens back exactly', () => {
    const v = [0.1, -1 / 3, 1 + 2 ** -11, 70_000, 2 ** -25];
    for (const from of ['float32', 'float64'] as const) {
      const h = nd(v, [5], from).astype('float16');
      expect(h.dtype).toBe('float16');
      expect(Array.from(values(h))).toEqual(v.map((x) => roundToHalf(from === 'float32' ? Math.fround(x) : x)));
      expect(Array.from(values(h.astype(from)))).toEqual(Array.from(values(h)));
      expect(Array.from(values(h.copy()))).toEqual(Array.from(values(h)));
    }
  });
});

describe('float16 and bfloat16 errors', () => {
  it('still rejects other dtypes and mixed operands, naming the op', () => {
    expectError(
      () => exp(nd([1], [1], 'int32')),
      DTypeError,
      /exp: data must be float16, bfloat16, float32 or float64, got int32/,
    );
    expectError(() => relu(nd([1], [1], 'uint8')), DTypeError, /relu: data must be float16/);
    expectError(
      () => add(nd([1], [1], 'float16'), nd([1], [1], 'float32')),
      DTypeError,
      /add: lhs \(1,\) is float16 but rhs \(1,\) is float32/,
    );
    expectError(
      () => divide(nd([1], [1], 'int64'), 2),
      DTypeError,
      /divide: lhs must be float16, bfloat16, float32 or float64, got int64/,
    );
    expectError(() => sum(nd([1], [1], 'int8')), DTypeError, /sum: data must be float16, bfloat16, float32 or float64/);
    expectError(() => argmax(nd([1, 2], [2], 'float16')), DTypeError, /argmax: data must be float32 or float64, got float16/);
  });

  it('keeps the typed error for the kernels that do not compute bfloat16', () => {
    expectError(
      () => add(nd([1], [1], 'bfloat16'), nd([1], [1], 'float16')),
      DTypeError,
      /add: lhs \(1,\) is bfloat16 but rhs \(1,\) is float16/,
    );
    const a = ones([1, 2], { dtype: 'bfloat16' });
    expectError(() => argmax(a), DTypeError, /argmax: data must be float32 or float64, got bfloat16/);
  });
});
