// float16 and bfloat16 through bound executors: forward and backward of Activation, the unary and
// broadcast families and sum/mean, plus the gradient-accumulation kernels (grad_req 'add', add_n),
// against a float64 reference over the 16-bit values the kernels see, rounded to that type.
import { type DType, type NDArray } from '@bkt/ndarray';
import {
  Activation,
  broadcast_add,
  broadcast_mul,
  exp,
  log,
  mean,
  relu,
  sigmoid,
  softsign,
  sqrt,
  square,
  sum,
  type Symbol,
  tanh,
  Variable,
} from '@bkt/symbol';
import { describe, expect, it } from 'vitest';

import { Executor } from '../src/index.js';
import { expectBFloat16Close, expectHalfClose, makeRng, nd, randomValues, sizeOf, values } from '../../ndarray/test/helpers.js';

const rng = makeRng(7);
const x = Variable('x');

/** Both 16-bit float types, each with its rounded-reference check. */
const FORMATS: [DType, (actual: ArrayLike<number>, reference: ArrayLike<number>) => void][] = [
  ['float16', expectHalfClose],
  ['bfloat16', expectBFloat16Close],
];

/** A 16-bit float array of random values in [lo, hi] and the float64 values it actually holds. */
function half(dtype: DType, shape: number[], lo: number, hi: number): [NDArray, Float64Array] {
  const a = nd(randomValues(rng, sizeOf(shape), lo, hi), shape, dtype);
  return [a, values(a)];
}

/** Binds `sym` over x, runs forward and backward with a random out_grad; everything `dtype`. */
function run(dtype: DType, sym: Symbol, shape: number[], lo: number, hi: number, outShape = shape) {
  const [xa, xv] = half(dtype, shape, lo, hi);
  const [ga, gv] = half(dtype, outShape, -1, 1);
  const exec = Executor.bind(sym, { args: { x: xa } });
  const [out] = exec.forward({ isTrain: true });
  exec.backward([ga]);
  const grad = exec.gradDict.x!;
  expect(out!.dtype).toBe(dtype);
  expect(grad.dtype).toBe(dtype);
  const result = { xv, gv, yv: values(out!), dx: values(grad) };
  exec.dispose();
  return result;
}

describe.each(FORMATS)('%s', (dtype, expectClose) => {
  describe('Activation', () => {
    // Backward differentiates from the 16-bit output (softsign from the input), as MXNet does.
    const cases: [
      'relu' | 'sigmoid' | 'tanh' | 'softrelu' | 'softsign',
      (v: number) => number,
      (x: number, y: number) => number,
    ][] = [
      ['relu', (v) => Math.max(v, 0), (_, y) => (y > 0 ? 1 : 0)],
      ['sigmoid', (v) => 1 / (1 + Math.exp(-v)), (_, y) => y * (1 - y)],
      ['tanh', Math.tanh, (_, y) => 1 - y * y],
      ['softrelu', (v) => Math.log1p(Math.exp(v)), (_, y) => -Math.expm1(-y)],
      ['softsign', (v) => v / (1 + Math.abs(v)), (v) => 1 / (1 + Math.abs(v)) ** 2],
    ];
    it.each(cases)('%s forward and backward match the rounded float64 reference', (actType, f, df) => {
      const { xv, gv, yv, dx } = run(dtype, Activation({ data: x, actType }), [3, 8, 7], -3, 3);
      expectClose(yv, xv.map(f));
      expectClose(
        dx,
        gv.map((g, i) => g * df(xv[i]!, yv[i]!)),
      );
    });
  });

  describe('unary symbols', () => {
    const cases: [string, (s: Symbol) => Symbol, (v: number) => number, (x: number, y: number) => number, number, number][] = [
      ['exp', (s) => exp({ data: s }), Math.exp, (_, y) => y, -2, 2],
      ['log', (s) => log({ data: s }), Math.log, (v) => 1 / v, 0.3, 3],
      ['sqrt', (s) => sqrt({ data: s }), Math.sqrt, (_, y) => 1 / (2 * y), 0.3, 3],
      ['square', (s) => square({ data: s }), (v) => v * v, (v) => 2 * v, -2, 2],
      ['tanh', (s) => tanh({ data: s }), Math.tanh, (_, y) => 1 - y * y, -2, 2],
      ['sigmoid', (s) => sigmoid({ data: s }), (v) => 1 / (1 + Math.exp(-v)), (_, y) => y * (1 - y), -3, 3],
      ['relu', (s) => relu({ data: s }), (v) => Math.max(v, 0), (_, y) => (y > 0 ? 1 : 0), -2, 2],
      ['softsign', (s) => softsign({ data: s }), (v) => v / (1 + Math.abs(v)), (v) => 1 / (1 + Math.abs(v)) ** 2, -3, 3],
    ];
    it.each(cases)('%s forward and backward', (_, make, f, df, lo, hi) => {
      const { xv, gv, yv, dx } = run(dtype, make(x), [4, 9], lo, hi);
      expectClose(yv, xv.map(f));
      expectClose(
        dx,
        gv.map((g, i) => g * df(xv[i]!, yv[i]!)),
      );
    });
  });

  describe('broadcast and reduction gradients', () => {
    it('broadcast_mul sums the rhs gradient over the broadcast axis; broadcast_add passes it through', () => {
      const lhs = Variable('lhs');
      const rhs = Variable('rhs');
      const [l, lv] = half(dtype, [5, 3], -2, 2);
      const [r, rv] = half(dtype, [1, 3], -2, 2);
      const [g, gv] = half(dtype, [5, 3], -1, 1);
      for (const [make, dl, dr] of [
        [broadcast_mul, (i: number) => gv[i]! * rv[i % 3]!, (i: number) => gv[i]! * lv[i]!],
        [broadcast_add, (i: number) => gv[i]!, (i: number) => gv[i]!],
      ] as const) {
        const exec = Executor.bind(make({ lhs, rhs }), { args: { lhs: l, rhs: r } });
        exec.forward({ isTrain: true });
        exec.backward([g]);
        expectClose(
          values(exec.gradDict.lhs!),
          Array.from({ length: 15 }, (_, i) => dl(i)),
        );
        const col = (j: number): number => [0, 1, 2, 3, 4].reduce((p, k) => p + dr(k * 3 + j), 0);
        expectClose(values(exec.gradDict.rhs!), [col(0), col(1), col(2)]);
        exec.dispose();
      }
    });

    it('sum and mean over axis 1 forward, and spread the gradient back', () => {
      for (const [make, scale] of [
        [sum, 1],
        [mean, 1 / 6],
      ] as const) {
        const { xv, gv, yv, dx } = run(dtype, make({ data: x, axis: [1] }), [4, 6], -2, 2, [4]);
        expect(yv.length).toBe(4);
        expectClose(
          yv,
          [0, 1, 2, 3].map((o) => xv.slice(o * 6, o * 6 + 6).reduce((p, v) => p + v, 0) * scale),
        );
        expectClose(
          dx,
          Array.from(xv, (_, i) => gv[Math.floor(i / 6)]! * scale),
        );
      }
    });
  });

  describe('gradient accumulation', () => {
    it("grad_req 'add' accumulates and a variable used twice sums its gradients", () => {
      // x * x through two uses of x: the executor sums the two branch gradients (add_n).
      const [xa, xv] = half(dtype, [10], -2, 2);
      const [ga, gv] = half(dtype, [10], -1, 1);
      const exec = Executor.bind(broadcast_mul({ lhs: x, rhs: x }), { args: { x: xa }, gradReq: 'add' });
      for (let step = 1; step <= 2; step++) {
        exec.forward({ isTrain: true });
        exec.backward([ga]);
        expect(exec.gradDict.x!.dtype).toBe(dtype);
      }
      // Doubling is exact in both types, so two steps hold exactly twice one step's rounded gradient.
      const once = gv.map((g, i) => g * xv[i]! + g * xv[i]!);
      expectClose(
        values(exec.gradDict.x!),
        once.map((v) => 2 * v),
      );
      exec.dispose();
    });
  });
});
