// bfloat16 compute in the element-wise and reduction kernels: each computes in float32 and rounds to
// bfloat16 on store (ties to even), as MXNet does on CPU. Results are checked against a float64
// reference over the bfloat16 inputs, rounded to bfloat16 by the test helpers' own rounding.
import { describe, expect, it } from 'vitest';

import {
  add,
  type BinaryFn,
  clip,
  divide,
  dot,
  DTypeError,
  erf,
  exp,
  greater,
  log,
  max,
  maximum,
  mean,
  multiply,
  type NDArray,
  norm,
  ones,
  power,
  relu,
  sigmoid,
  softmax,
  sqrt,
  subtract,
  sum,
  tanh,
  type UnaryFn,
} from '../src/index.js';
import {
  erfReference,
  expectBFloat16Close,
  expectError,
  makeRng,
  nd,
  randomValues,
  roundToBFloat16,
  sizeOf,
  values,
} from './helpers.js';

const rng = makeRng(12);

/** A bfloat16 array of random values in [lo, hi] and the float64 values it actually holds. */
function bf16(shape: number[], lo = -2, hi = 2): [NDArray, Float64Array] {
  const a = nd(randomValues(rng, sizeOf(shape), lo, hi), shape, 'bfloat16');
  return [a, values(a)];
}

function expectBf16(out: NDArray, shape: number[], reference: ArrayLike<number>): void {
  expect(out.dtype).toBe('bfloat16');
  expect(out.shape).toEqual(shape);
  expectBFloat16Close(values(out), reference);
}

describe('bfloat16 unary ops', () => {
  const cases: [string, UnaryFn, (v: number) => number, number, number][] = [
    ['exp', exp, Math.exp, -3, 3],
    ['log', log, Math.log, 0.1, 5],
    ['sqrt', sqrt, Math.sqrt, 0, 9],
    ['tanh', tanh, Math.tanh, -3, 3],
    ['sigmoid', sigmoid, (v) => 1 / (1 + Math.exp(-v)), -6, 6],
    ['relu', relu, (v) => Math.max(v, 0), -3, 3],
    ['erf', erf, erfReference, -3, 3],
  ];
  it.each(cases)('%s matches the float64 reference rounded to bfloat16', (_, f, ref, lo, hi) => {
    // 70,000 elements reach the thread pool's chunking as well as the single-thread path.
    for (const shape of [[3, 7], [70_000]]) {
      const [x, xv] = bf16(shape, lo, hi);
      expectBf16(f(x), shape, xv.map(ref));
    }
  });

  it('clip limits bfloat16 data to the bounds, rounded to bfloat16', () => {
    const [x, xv] = bf16([50], -3, 3);
    const lo = roundToBFloat16(-1.3);
    const hi = roundToBFloat16(0.7);
    expectBf16(
      clip(x, -1.3, 0.7),
      [50],
      xv.map((v) => Math.min(Math.max(v, lo), hi)),
    );
  });

  it('keeps float32 range: exp(80) is finite in bfloat16 where float16 overflows', () => {
    const out = values(exp(nd([80, NaN, -200], [3], 'bfloat16')));
    expect(out[0]).toBe(roundToBFloat16(Math.exp(80)));
    expect(Array.from(out.slice(1))).toEqual([NaN, 0]);
  });
});

describe('bfloat16 binary ops', () => {
  const cases: [string, BinaryFn, (l: number, r: number) => number][] = [
    ['add', add, (l, r) => l + r],
    ['subtract', subtract, (l, r) => l - r],
    ['multiply', multiply, (l, r) => l * r],
    ['divide', divide, (l, r) => l / r],
    ['power', power, (l, r) => l ** r],
    ['maximum', maximum, Math.max],
  ];
  it.each(cases)('%s: same shapes, broadcast and scalar on either side', (name, f, ref) => {
    const lo = name === 'power' || name === 'divide' ? 0.25 : -4;
    const [a, av] = bf16([4, 3], lo, 4);
    const [b, bv] = bf16([4, 3], lo, 4);
    expectBf16(
      f(a, b),
      [4, 3],
      av.map((v, i) => ref(v, bv[i]!)),
    );
    const [c, cv] = bf16([5, 1, 3], lo, 4);
    const [d, dv] = bf16([2, 1], lo, 4);
    // (5, 1, 3) with (2, 1) broadcasts to (5, 2, 3).
    const expected = Array.from({ length: 30 }, (_, i) => ref(cv[Math.floor(i / 6) * 3 + (i % 3)]!, dv[Math.floor(i / 3) % 2]!));
    expectBf16(f(c, d), [5, 2, 3], expected);
    // The scalar is rounded to bfloat16 first, as MXNet casts it to the operand's type.
    const s = roundToBFloat16(1.3);
    expectBf16(
      f(a, 1.3),
      [4, 3],
      av.map((v) => ref(v, s)),
    );
    expectBf16(
      f(1.3, a),
      [4, 3],
      av.map((v) => ref(s, v)),
    );
  });

  it('comparisons give 0 and 1 in bfloat16', () => {
    expectBf16(greater(nd([-1, 0.5, 2], [3], 'bfloat16'), 0.5), [3], [0, 0, 1]);
  });

  it('rounds each result once, to nearest with ties to even', () => {
    const one = nd([1, 1 + 2 ** -7], [2], 'bfloat16');
    // Both sums fall exactly halfway between two bfloat16 values: the even neighbour wins.
    expect(Array.from(values(add(one, 2 ** -8)))).toEqual([1, 1 + 2 ** -6]);
  });
});

describe('bfloat16 reductions', () => {
  it.each([
    ['sum', sum, (v: number[]) => v.reduce((p, x) => p + x, 0)],
    ['mean', mean, (v: number[]) => v.reduce((p, x) => p + x, 0) / v.length],
    ['max', max, (v: number[]) => Math.max(...v)],
    ['norm', norm, (v: number[]) => Math.sqrt(v.reduce((p, x) => p + x * x, 0))],
  ] as const)('%s over inner, outer and all axes matches the rounded float64 reference', (_, f, ref) => {
    const [x, xv] = bf16([6, 5, 40]);
    const at = (i: number, j: number, k: number): number => xv[(i * 5 + j) * 40 + k]!;
    const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
    expectBf16(
      f(x, { axis: 2 }),
      [6, 5],
      range(30).map((o) => ref(range(40).map((k) => at(Math.floor(o / 5), o % 5, k)))),
    );
    expectBf16(
      f(x, { axis: 0, keepdims: true }),
      [1, 5, 40],
      range(200).map((o) => ref(range(6).map((i) => at(i, Math.floor(o / 40), o % 40)))),
    );
    expectBf16(f(x), [1], [ref(Array.from(xv))]);
  });

  it('accumulates beyond bfloat16 precision: 1024 ones sum to 1024, not 256', () => {
    expect(Array.from(values(sum(ones([1024], { dtype: 'bfloat16' }))))).toEqual([1024]);
  });
});

describe('bfloat16 errors', () => {
  it('rejects mixed operands and keeps the typed error for ops that do not compute bfloat16', () => {
    expectError(
      () => add(nd([1], [1], 'bfloat16'), nd([1], [1], 'float16')),
      DTypeError,
      /add: lhs \(1,\) is bfloat16 but rhs \(1,\) is float16/,
    );
    const a = ones([1, 2], { dtype: 'bfloat16' });
    expectError(() => dot(a, ones([2, 1], { dtype: 'bfloat16' })), DTypeError, /dot.*bfloat16/);
    expectError(() => softmax(a), DTypeError, /softmax.*bfloat16/);
    expectError(
      () => exp(nd([1], [1], 'int32')),
      DTypeError,
      /exp: data must be float16, bfloat16, float32 or float64, got int32/,
    );
  });
});
