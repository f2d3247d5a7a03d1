import { describe, expect, it } from 'vitest';

import {
  abs,
  add,
  array,
  type BinaryFn,
  clip,
  ContextError,
  cpu,
  divide,
  type DType,
  DTypeError,
  equal,
  erf,
  exp,
  greater,
  greaterEqual,
  lesser,
  lesserEqual,
  log,
  maximum,
  memoryStats,
  minimum,
  multiply,
  type NDArray,
  negative,
  notEqual,
  power,
  reciprocal,
  relu,
  rsqrt,
  ShapeError,
  sigmoid,
  sign,
  softrelu,
  sqrt,
  square,
  StateError,
  subtract,
  tanh,
  type UnaryFn,
  ValueError,
  where,
  zeros,
} from '../src/index.js';
import { type NativeHandle, native } from '../src/native.js';
import { BinaryOp, UnaryOp } from '../src/op-ids.gen.js';
import {
  erfReference,
  expectAllClose,
  makeRng,
  nd,
  randomShape,
  randomValues,
  sizeOf,
  tolerance,
  unravel,
  values,
} from './helpers.js';

const FLOATS: DType[] = ['float32', 'float64'];

// ---- float64 references ----

interface UnaryCase {
  name: string;
  fn: UnaryFn;
  ref: (x: number) => number;
  lo: number;
  hi: number;
}

const UNARY: UnaryCase[] = [
  { name: 'exp', fn: exp, ref: Math.exp, lo: -5, hi: 5 },
  { name: 'log', fn: log, ref: Math.log, lo: 0.05, hi: 10 },
  { name: 'sqrt', fn: sqrt, ref: Math.sqrt, lo: 0, hi: 10 },
  { name: 'rsqrt', fn: rsqrt, ref: (x) => 1 / Math.sqrt(x), lo: 0.05, hi: 10 },
  { name: 'square', fn: square, ref: (x) => x * x, lo: -4, hi: 4 },
  { name: 'abs', fn: abs, ref: Math.abs, lo: -4, hi: 4 },
  { name: 'sign', fn: sign, ref: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0), lo: -2, hi: 2 },
  { name: 'tanh', fn: tanh, ref: Math.tanh, lo: -4, hi: 4 },
  { name: 'sigmoid', fn: sigmoid, ref: (x) => 1 / (1 + Math.exp(-x)), lo: -8, hi: 8 },
  { name: 'relu', fn: relu, ref: (x) => (x > 0 ? x : 0), lo: -2, hi: 2 },
  { name: 'softrelu', fn: softrelu, ref: (x) => Math.log1p(Math.exp(x)), lo: -6, hi: 6 },
  { name: 'negative', fn: negative, ref: (x) => -x, lo: -4, hi: 4 },
  { name: 'reciprocal', fn: reciprocal, ref: (x) => 1 / x, lo: 0.2, hi: 4 },
  { name: 'erf', fn: erf, ref: erfReference, lo: -4, hi: 4 },
];

type Scalar2 = (x: number, y: number) => number;

interface BinaryCase {
  name: string;
  fn: BinaryFn;
  ref: Scalar2;
  ints: boolean;
  // Operand ranges: comparisons use small integers so that ties actually occur.
  lhs: [number, number];
  rhs: [number, number];
  integral?: boolean;
}

const nanWins =
  (pick: Scalar2): Scalar2 =>
  (x, y) =>
    Number.isNaN(x) || Number.isNaN(y) ? NaN : pick(x, y);
const cmp = (name: string, fn: BinaryFn, ref: (x: number, y: number) => boolean): BinaryCase => ({
  name,
  fn,
  ref: (x, y) => (ref(x, y) ? 1 : 0),
  ints: true,
  lhs: [-2, 2],
  rhs: [-2, 2],
  integral: true,
});

const BINARY: BinaryCase[] = [
  { name: 'add', fn: add, ref: (x, y) => x + y, ints: true, lhs: [-5, 5], rhs: [-5, 5] },
  { name: 'subtract', fn: subtract, ref: (x, y) => x - y, ints: true, lhs: [-5, 5], rhs: [-5, 5] },
  { name: 'multiply', fn: multiply, ref: (x, y) => x * y, ints: true, lhs: [-5, 5], rhs: [-5, 5] },
  { name: 'divide', fn: divide, ref: (x, y) => x / y, ints: false, lhs: [-5, 5], rhs: [0.5, 3] },
  { name: 'power', fn: power, ref: Math.pow, ints: false, lhs: [0.1, 3], rhs: [-2, 2] },
  { name: 'maximum', fn: maximum, ref: nanWins(Math.max), ints: true, lhs: [-3, 3], rhs: [-3, 3], integral: true },
  { name: 'minimum', fn: minimum, ref: nanWins(Math.min), ints: true, lhs: [-3, 3], rhs: [-3, 3], integral: true },
  cmp('equal', equal, (x, y) => x === y),
  cmp('notEqual', notEqual, (x, y) => x !== y),
  cmp('greater', greater, (x, y) => x > y),
  cmp('greaterEqual', greaterEqual, (x, y) => x >= y),
  cmp('lesser', lesser, (x, y) => x < y),
  cmp('lesserEqual', lesserEqual, (x, y) => x <= y),
];

/** NumPy broadcasting, element by element through multi-indices (independent of the kernel's plan). */
function broadcastRef(
  xs: Float64Array,
  xShape: readonly number[],
  ys: Float64Array,
  yShape: readonly number[],
  f: Scalar2,
): { shape: number[]; data: Float64Array } {
  const nd_ = Math.max(xShape.length, yShape.length);
  const pad = (s: readonly number[]) => [...new Array<number>(nd_ - s.length).fill(1), ...s];
  const px = pad(xShape);
  const py = pad(yShape);
  const shape = px.map((d, i) => (d === 1 ? py[i]! : d));
  const data = new Float64Array(sizeOf(shape));
  for (let flat = 0; flat < data.length; flat++) {
    const idx = unravel(flat, shape);
    let xi = 0;
    let yi = 0;
    for (let d = 0; d < nd_; d++) {
      xi = xi * px[d]! + (px[d] === 1 ? 0 : idx[d]!);
      yi = yi * py[d]! + (py[d] === 1 ? 0 : idx[d]!);
    }
    data[flat] = f(xs[xi]!, ys[yi]!);
  }
  return { shape, data };
}

function operand(rng: () => number, shape: readonly number[], [lo, hi]: [number, number], integral = false): Float64Array {
  const v = randomValues(rng, sizeOf(shape), lo, hi);
  return integral ? v.map(Math.round) : v;
}

/** A pair of shapes that broadcast: drop leading dims and set dims to 1 at random from one target. */
function broadcastPair(rng: () => number): [number[], number[]] {
  const target = randomShape(rng, Math.floor(rng() * 5), 4);
  const derive = () => {
    const s = target.slice(Math.floor(rng() * (target.length + 1)));
    return s.map((d) => (rng() < 0.4 ? 1 : d));
  };
  return [derive(), derive()];
}

const EDGE_PAIRS: [number[], number[]][] = [
  [[1], [4, 5]],
  [
    [4, 1],
    [1, 5],
  ],
  [[5], [4, 5]],
  [
    [4, 1],
    [4, 5],
  ],
  [[], [3, 2]],
  [[3, 2], []],
  [[], []],
  [
    [0, 3],
    [1, 3],
  ],
  [
    [2, 0],
    [2, 1],
  ],
  [[1], [0]],
  [[], [0]],
  [
    [2, 1, 3, 1],
    [1, 4, 1, 5],
  ],
  [
    [3, 1, 1, 4],
    [3, 2, 5, 4],
  ],
  [
    [2, 3, 4, 5],
    [2, 3, 4, 5],
  ],
];

// Big enough to run in several pool chunks that start in the middle of a row.
const BIG_PAIRS: [number[], number[]][] = [
  [
    [601, 1],
    [1, 500],
  ],
  [
    [7, 1, 131],
    [1, 150, 1],
  ],
  [[300_001], [1]],
  [[], [300_001]],
  [[140_000], [140_000]],
];

/** The dtype's view of a scalar: what the kernel converts it to. */
const asDType = (s: number, dtype: DType) => (dtype === 'float32' ? Math.fround(s) : s);

function checkBinary(c: BinaryCase, dtype: DType, xShape: number[], yShape: number[], rng: () => number) {
  const integral = c.integral === true || dtype.startsWith('int');
  const x = nd(operand(rng, xShape, c.lhs, integral), xShape, dtype);
  const y = nd(operand(rng, yShape, c.rhs, integral), yShape, dtype);
  const out = c.fn(x, y);
  const ref = broadcastRef(values(x), x.shape, values(y), y.shape, c.ref);
  expect(out.shape, `${c.name} ${dtype} ${xShape} vs ${yShape}`).toEqual(ref.shape);
  expect(out.dtype).toBe(dtype);
  expectAllClose(values(out), ref.data, tolerance(dtype));
  for (const a of [x, y, out]) a.dispose();
}

// ---- forward ----

function runUnary(fn: UnaryFn, xs: number[], dtype: DType): number[] {
  const a = nd(xs, [xs.length], dtype);
  const out = fn(a);
  const v = Array.from(values(out));
  a.dispose();
  out.dispose();
  return v;
}

describe('unary ops', () => {
  const shapes = [[], [0], [3, 0, 2], [1], [2, 3, 4, 5], [140_000]];
  for (const c of UNARY) {
    for (const dtype of FLOATS) {
      it(`${c.name} ${dtype} matches the float64 reference`, () => {
        const rng = makeRng(c.name.length * 31 + dtype.length);
        const all = [...shapes, ...Array.from({ length: 4 }, () => randomShape(rng, Math.floor(rng() * 5)))];
        for (const shape of all) {
          const a = nd(randomValues(rng, sizeOf(shape), c.lo, c.hi), shape, dtype);
          const out = c.fn(a);
          expect(out.shape).toEqual(shape);
          expect(out.dtype).toBe(dtype);
          expectAllClose(values(out), values(a).map(c.ref), tolerance(dtype));
          a.dispose();
          out.dispose();
        }
      });
    }
  }

  for (const dtype of FLOATS) {
    it(`special values follow NumPy (${dtype})`, () => {
      const run = (fn: UnaryFn, xs: number[]) => runUnary(fn, xs, dtype);
      expect(run(log, [0, -1])).toEqual([-Infinity, NaN]);
      expect(run(sqrt, [-1, 0])).toEqual([NaN, 0]);
      expect(run(rsqrt, [0])).toEqual([Infinity]);
      expect(run(reciprocal, [0])).toEqual([Infinity]);
      expect(run(sign, [NaN, 0, -3])).toEqual([NaN, 0, -1]);
      expect(run(relu, [NaN, -1])).toEqual([NaN, 0]);
      expect(run(sigmoid, [-1000, 1000])).toEqual([0, 1]);
      expect(run(tanh, [-50, 50])).toEqual([-1, 1]);
      expect(run(exp, [1000, -Infinity])).toEqual([Infinity, 0]);
    });

    it(`softrelu stays finite and exact for large |x| (${dtype})`, () => {
      const [hi100, lo100, hi1000, lo1000, inf] = runUnary(softrelu, [100, -100, 1000, -1000, Infinity], dtype);
      expect(hi100).toBe(100);
      expect(hi1000).toBe(1000);
      expect(inf).toBe(Infinity);
      expect(lo1000).toBe(0);
      // log(1 + e^-100) = e^-100 (to double precision); float32 holds it as a subnormal.
      const expected = dtype === 'float64' ? Math.exp(-100) : new Float32Array([Math.exp(-100)])[0]!;
      expect(lo100).toBeGreaterThan(0);
      expect(Math.abs(lo100! - expected)).toBeLessThanOrEqual(expected * (dtype === 'float64' ? 1e-12 : 0.05));
    });
  }

  it('clip limits to [aMin, aMax] for several bounds', () => {
    const rng = makeRng(7);
    for (const dtype of FLOATS) {
      for (const [lo, hi] of [
        [-0.5, 0.5],
        [0, 0],
        [-10, 10],
        [0.25, 3],
      ] as const) {
        for (const shape of [[], [0, 4], [3, 5], [2, 2, 3, 2]]) {
          const a = nd(randomValues(rng, sizeOf(shape), -2, 2), shape, dtype);
          const out = clip(a, lo, hi);
          const l = asDType(lo, dtype);
          const h = asDType(hi, dtype);
          expectAllClose(
            values(out),
            values(a).map((x) => Math.min(Math.max(x, l), h)),
            tolerance(dtype),
          );
          a.dispose();
          out.dispose();
        }
      }
    }
    const withNaN = array([NaN, 5]);
    expect(Array.from(values(clip(withNaN, 0, 1)))).toEqual([NaN, 1]);
  });
});

describe('binary ops with broadcasting', () => {
  for (const c of BINARY) {
    for (const dtype of FLOATS) {
      it(`${c.name} ${dtype} matches the float64 reference on edge-case and random shapes`, () => {
        const rng = makeRng(c.name.length * 101 + dtype.length);
        for (const [xs, ys] of EDGE_PAIRS) checkBinary(c, dtype, xs, ys, rng);
        for (let t = 0; t < 8; t++) {
          const [xs, ys] = broadcastPair(rng);
          checkBinary(c, dtype, xs, ys, rng);
        }
      });
    }
  }

  for (const c of BINARY.filter((b) => b.ints)) {
    for (const dtype of ['int32', 'int64'] as const) {
      it(`${c.name} ${dtype} matches the reference`, () => {
        const rng = makeRng(c.name.length * 7 + dtype.length);
        for (const [xs, ys] of EDGE_PAIRS) checkBinary(c, dtype, xs, ys, rng);
        for (let t = 0; t < 4; t++) {
          const [xs, ys] = broadcastPair(rng);
          checkBinary(c, dtype, xs, ys, rng);
        }
      });
    }
  }

  const bigRuns: [string, DType][] = [
    ['add', 'float32'],
    ['add', 'float64'],
    ['power', 'float32'],
    ['greater', 'float64'],
  ];
  for (const [name, dtype] of bigRuns) {
    const c = BINARY.find((b) => b.name === name)!;
    it(`${name} ${dtype} is right across thread-pool chunks`, () => {
      const rng = makeRng(name.length);
      for (const [xs, ys] of BIG_PAIRS) checkBinary(c, dtype, xs, ys, rng);
    });
  }

  it('reads views that start inside their storage', () => {
    const base = nd([1, 2, 3, 4, 5, 6, 7, 8], [4, 2], 'float64');
    const lower = base.slice(2, 4);
    const row = base.slice(1, 2);
    expect(Array.from(values(add(lower, row)))).toEqual([8, 10, 10, 12]);
    expect(Array.from(values(multiply(lower, 10)))).toEqual([50, 60, 70, 80]);
    expect(Array.from(values(negative(lower)))).toEqual([-5, -6, -7, -8]);
  });

  it('int32 add and multiply wrap around on overflow', () => {
    const a = nd([2147483647, -2147483648, 65536], [3], 'int32');
    const b = nd([1, -1, 65536], [3], 'int32');
    expect(Array.from(values(add(a, b)))).toEqual([-2147483648, 2147483647, 131072]);
    expect(Array.from(values(multiply(a, b)))).toEqual([2147483647, -2147483648, 0]);
  });

  it('propagates NaN and infinities as NumPy does', () => {
    for (const dtype of FLOATS) {
      const x = nd([NaN, 1, 1, 0, -1], [5], dtype);
      const y = nd([1, NaN, 0, 0, 0], [5], dtype);
      expect(Array.from(values(maximum(x, y)))).toEqual([NaN, NaN, 1, 0, 0]);
      expect(Array.from(values(minimum(x, y)))).toEqual([NaN, NaN, 0, 0, -1]);
      expect(Array.from(values(divide(x, y)))).toEqual([NaN, NaN, Infinity, NaN, -Infinity]);
      expect(Array.from(values(equal(x, x)))).toEqual([0, 1, 1, 1, 1]);
      expect(Array.from(values(notEqual(x, x)))).toEqual([1, 0, 0, 0, 0]);
    }
  });
});

describe('scalar variants', () => {
  const scalars: Record<string, number[]> = { power: [0.5, 2, -1.5], divide: [0.75, -2.5] };
  for (const c of BINARY) {
    for (const dtype of FLOATS) {
      it(`${c.name}(array, s) and ${c.name}(s, array) in ${dtype}`, () => {
        const rng = makeRng(c.name.length * 13 + dtype.length);
        const integral = c.integral === true;
        const shapes = [[], [0], [4], [3, 5], [2, 3, 2, 2]];
        for (const [k, s] of (scalars[c.name] ?? (integral ? [-1, 0, 2] : [1.7, -0.3])).entries()) {
          // One large array per op exercises the pool's chunking.
          for (const shape of k === 0 ? [...shapes, [140_000]] : shapes) {
            // The array takes the rhs range when the scalar sits on the left, so power's base stays positive.
            const left = nd(operand(rng, shape, c.lhs, integral), shape, dtype);
            const right = nd(operand(rng, shape, c.rhs, integral), shape, dtype);
            const sv = asDType(s, dtype);
            const scalarRight = c.fn(left, s);
            const scalarLeft = c.fn(c.name === 'power' ? Math.abs(s) : s, right);
            const svLeft = c.name === 'power' ? Math.abs(sv) : sv;
            expectAllClose(
              values(scalarRight),
              values(left).map((x) => c.ref(x, sv)),
              tolerance(dtype),
            );
            expectAllClose(
              values(scalarLeft),
              values(right).map((y) => c.ref(svLeft, y)),
              tolerance(dtype),
            );
            expect(scalarLeft.shape).toEqual(shape);
            for (const a of [left, right, scalarLeft, scalarRight]) a.dispose();
          }
        }
      });
    }
  }

  it('takes integer scalars with int arrays and rejects ones the dtype cannot hold', () => {
    for (const dtype of ['int32', 'int64'] as const) {
      const a = nd([1, -2, 3], [3], dtype);
      expect(Array.from(values(subtract(10, a)))).toEqual([9, 12, 7]);
      expect(Array.from(values(greater(a, 1)))).toEqual([0, 0, 1]);
      expect(() => add(a, 0.5)).toThrow(ValueError);
      expect(() => add(a, NaN)).toThrow(/add: scalar/);
    }
    expect(() => add(nd([1], [1], 'int32'), 2 ** 31)).toThrow(ValueError);
    expect(Array.from(values(add(nd([1], [1], 'int32'), -(2 ** 31) + 1)))).toEqual([-(2 ** 31) + 2]);
  });
});

describe('where', () => {
  const dtypes: DType[] = ['float32', 'float64', 'int32', 'int64', 'int8', 'uint8', 'float16'];

  it('selects element-wise for every value dtype and several condition dtypes', () => {
    const rng = makeRng(99);
    for (const dtype of dtypes) {
      for (const condDType of ['float32', 'int32', 'float64'] as const) {
        // One large case runs the pool's chunking; the code path does not depend on the dtypes.
        const big = dtype === 'float32' && condDType === 'float32' ? [[150_000]] : [];
        for (const shape of [[], [0], [5], [3, 4], [2, 0, 3], [2, 3, 2, 2], ...big]) {
          const n = sizeOf(shape);
          const condVals = Array.from({ length: n }, () => [0, 1, -2, 0][Math.floor(rng() * 4)]!);
          const xv = Array.from({ length: n }, () => Math.floor(rng() * 100));
          const yv = Array.from({ length: n }, () => Math.floor(rng() * 100) - 100);
          const cond = nd(condVals, shape, condDType);
          const x = nd(xv, shape, dtype);
          const y = nd(yv, shape, dtype);
          const out = where(cond, x, y);
          expect(out.dtype).toBe(dtype);
          expect(out.shape).toEqual(shape);
          const expected = condVals.map((c, i) => (c !== 0 ? xv[i]! : yv[i]!));
          const expectedInDType = dtype === 'uint8' ? expected.map((v) => v & 0xff) : expected;
          expectAllClose(values(out), expectedInDType, { rtol: 0, atol: 0 });
          for (const a of [cond, x, y, out]) a.dispose();
        }
      }
    }
  });

  it('treats a NaN condition as true', () => {
    const out = where(array([NaN, 0]), array([1, 2]), array([3, 4]));
    expect(Array.from(values(out))).toEqual([1, 4]);
  });

  it('selects whole rows with a 1-D condition of length x.shape[0]', () => {
    const rng = makeRng(5);
    for (const dtype of FLOATS) {
      for (const shape of [[4], [4, 3], [5, 2, 3], [3, 0], [0, 2], [2000, 70]]) {
        const rows = shape[0]!;
        const rowLen = sizeOf(shape.slice(1));
        const condVals = Array.from({ length: rows }, () => (rng() < 0.5 ? 0 : 1));
        const xv = randomValues(rng, sizeOf(shape));
        const yv = randomValues(rng, sizeOf(shape));
        const cond = nd(condVals, [rows], 'int32');
        const x = nd(xv, shape, dtype);
        const y = nd(yv, shape, dtype);
        const out = where(cond, x, y);
        const xr = values(x);
        const yr = values(y);
        const expected = xr.map((v, i) => (condVals[Math.floor(i / rowLen)] ? v : yr[i]!));
        expectAllClose(values(out), expected, { rtol: 0, atol: 0 });
        for (const a of [cond, x, y, out]) a.dispose();
      }
    }
  });
});

// ---- errors ----

interface RawBinding {
  unaryOp(op: number, a: unknown): NativeHandle;
  binaryOp(op: number, a: unknown, b: unknown): NativeHandle;
  binaryScalarOp(op: number, a: unknown, s: unknown, left: boolean): NativeHandle;
  binaryOpInto(op: number, a: unknown, b: unknown, out: unknown): void;
  binaryScalarOpInto(op: number, a: unknown, s: unknown, left: boolean, out: unknown): void;
}
const raw = native as unknown as RawBinding;

describe('out (MXNet out=)', () => {
  for (const c of BINARY) {
    it(`${c.name} writes into out, in place on either operand, and makes no new array`, () => {
      const rng = makeRng(c.name.length * 17);
      for (const dtype of ['float32', 'float64'] as const) {
        for (const [xs, ys] of [
          [
            [2, 3],
            [2, 3],
          ],
          [[4, 3], [3]],
          [
            [5, 1, 2],
            [5, 4, 2],
          ],
        ] as [number[], number[]][]) {
          const xv = operand(rng, xs, c.lhs, c.integral === true);
          const yv = operand(rng, ys, c.rhs, c.integral === true);
          const ref = broadcastRef(xv, xs, yv, ys, c.ref);
          const x = nd(xv, xs, dtype);
          const y = nd(yv, ys, dtype);
          const out = zeros(ref.shape, { dtype });
          const made = memoryStats().totalHandles;
          expect(c.fn(x, y, { out })).toBe(out);
          expect(memoryStats().totalHandles).toBe(made);
          expectAllClose(values(out), ref.data, tolerance(dtype));
          // In place: the operand that has the result's shape becomes the result.
          const target = sizeOf(xs) === sizeOf(ref.shape) ? x : y;
          expect(c.fn(x, y, { out: target })).toBe(target);
          expectAllClose(values(target), ref.data, tolerance(dtype));
          for (const a of [x, y, out]) a.dispose();
        }
        // The scalar forms: s op r into a new out, l op s in place.
        const l = nd(operand(rng, [6], c.lhs, c.integral === true), [6], dtype);
        const r = nd(operand(rng, [6], c.rhs, c.integral === true), [6], dtype);
        const s = asDType(c.integral === true ? 1 : 0.75, dtype);
        const wantLeft = values(r).map((v) => c.ref(s, v));
        const wantRight = values(l).map((v) => c.ref(v, s));
        const out = zeros([6], { dtype });
        expect(c.fn(s, r, { out })).toBe(out);
        expectAllClose(values(out), wantLeft, tolerance(dtype));
        expect(c.fn(l, s, { out: l })).toBe(l);
        expectAllClose(values(l), wantRight, tolerance(dtype));
        for (const a of [l, r, out]) a.dispose();
      }
    });
  }

  it('writes int arrays and views of a larger array', () => {
    const a = nd([2147483647, -3, 4], [3], 'int32');
    expect(Array.from(values(add(a, 1, { out: a })))).toEqual([-2147483648, -2, 5]);
    const base = nd([1, 2, 3, 4, 5, 6, 7, 8], [4, 2], 'float64');
    const top = base.slice(0, 2);
    const bottom = base.slice(2, 4);
    add(top, bottom, { out: bottom });
    expect(Array.from(values(base))).toEqual([1, 2, 3, 4, 6, 8, 10, 12]);
  });

  it('rejects an out of another shape, dtype or context, a disposed or sparse one, overlaps and unknown options', () => {
    const a = zeros([2, 3]);
    const b = zeros([3]);
    expect(() => add(a, b, { out: zeros([3]) })).toThrow(ShapeError);
    expect(() => add(a, b, { out: zeros([3, 2]) })).toThrow(/add: output \(3, 2\) is not the broadcast of \(2, 3\) and \(3,\)/);
    expect(() => add(a, 1, { out: zeros([6]) })).toThrow(/add: output \(6,\) does not match data \(2, 3\)/);
    expect(() => add(a, b, { out: zeros([2, 3], { dtype: 'float64' }) })).toThrow(DTypeError);
    expect(() => multiply(2, a, { out: zeros([2, 3], { dtype: 'float64' }) })).toThrow(/multiply: output is float64/);
    expect(() => add(a, b, { out: zeros([2, 3], { ctx: cpu(1) }) })).toThrow(ContextError);
    const gone = zeros([2, 3]);
    gone.dispose();
    expect(() => add(a, b, { out: gone })).toThrow(StateError);
    expect(() => subtract(a, 1, { out: gone })).toThrow(/subtract: out was disposed/);
    const csr = zeros([2, 3]).tostype('csr');
    expect(() => add(a, b, { out: csr })).toThrow(/add: out must be a dense NDArray/);
    expect(() => add(a, b, { out: [1] as unknown as NDArray })).toThrow(ValueError);
    expect(() => add(a, b, { outt: a } as unknown as { out: NDArray })).toThrow(/add: unknown option 'outt'/);
    expect(() => add(a, b, 3 as unknown as { out: NDArray })).toThrow(/add: options must be a plain object/);
    // A shifted view over the operand's own bytes would read what it already overwrote.
    const base = nd([1, 2, 3, 4, 5], [5], 'float64');
    const head = base.slice(0, 4);
    const tail = base.slice(1, 5);
    expect(() => add(head, 1, { out: tail })).toThrow(ValueError);
    expect(() => add(head, head, { out: tail })).toThrow(/add: output \(4,\) partly overlaps lhs \(4,\)/);
    expect(() => multiply(zeros([4], { dtype: 'float64' }), head, { out: tail })).toThrow(
      /multiply: output \(4,\) partly overlaps rhs/,
    );
    expect(Array.from(values(base))).toEqual([1, 2, 3, 4, 5]);
  });

  it('validates out in native code too, when the TS layer is bypassed', () => {
    const a = zeros([2]);
    const h = a.handle;
    a.dispose();
    const b = zeros([2]);
    expect(() => raw.binaryOpInto(BinaryOp.add, b.handle, b.handle, h)).toThrow(/add: out was disposed/);
    expect(() => raw.binaryOpInto(BinaryOp.add, b.handle, b.handle, {})).toThrow(/add: out must be an NDArray/);
    expect(() => raw.binaryScalarOpInto(BinaryOp.mul, b.handle, 2, false, 'x')).toThrow(/multiply: out must be an NDArray/);
    expect(() => raw.binaryOpInto(-1, b.handle, b.handle, b.handle)).toThrow(/unknown op id/);
  });
});

describe('errors', () => {
  it('raises ShapeError naming the op and both shapes when shapes do not broadcast', () => {
    const a = zeros([2, 3]);
    const b = zeros([3, 2]);
    expect(() => add(a, b)).toThrow(ShapeError);
    expect(() => subtract(a, b)).toThrow(/subtract: shapes \(2, 3\) and \(3, 2\)/);
    expect(() => greaterEqual(zeros([0]), zeros([3]))).toThrow(/greaterEqual: shapes \(0,\) and \(3,\)/);
    expect(() => multiply(zeros([4, 1, 3]), zeros([2, 2]))).toThrow(ShapeError);
  });

  it('raises DTypeError for unsupported dtypes, naming the op', () => {
    const ints = nd([1, 2], [2], 'int32');
    expect(() => exp(ints)).toThrow(DTypeError);
    expect(() => exp(ints)).toThrow(/exp: data must be float16, bfloat16, float32 or float64, got int32/);
    expect(() => clip(ints, 0, 1)).toThrow(/clip/);
    expect(() => erf(ints)).toThrow(/erf: data must be float16, bfloat16, float32 or float64, got int32/);
    expect(() => divide(ints, ints)).toThrow(DTypeError);
    expect(() => divide(ints, 2)).toThrow(/divide/);
    expect(() => power(2, ints)).toThrow(/power: rhs/);
    expect(() => add(nd([1], [1], 'int8'), nd([1], [1], 'int8'))).toThrow(DTypeError);
    expect(() => add(nd([1], [1], 'uint8'), 1)).toThrow(/add: lhs/);
    expect(() => add(nd([1], [1], 'float32'), nd([1], [1], 'float64'))).toThrow(DTypeError);
    expect(() => maximum(nd([1], [1], 'int32'), nd([1], [1], 'int64'))).toThrow(/maximum/);
    expect(() => where(zeros([2]), zeros([2]), zeros([2], { dtype: 'float64' }))).toThrow(DTypeError);
  });

  it('raises ContextError naming the op for inputs on different contexts', () => {
    const a = zeros([2]);
    const b = zeros([2], { ctx: cpu(1) });
    expect(() => add(a, b)).toThrow(ContextError);
    expect(() => lesser(b, a)).toThrow(/lesser/);
    expect(() => where(b, a, a)).toThrow(ContextError);
    expect(() => where(a, a, b)).toThrow(/where/);
    const out = exp(b);
    expect(out.context.equals(cpu(1))).toBe(true);
    expect(add(b, 1).context.equals(cpu(1))).toBe(true);
  });

  it('raises StateError naming the op for a disposed input', () => {
    const live = zeros([2]);
    const gone = zeros([2]);
    gone.dispose();
    expect(() => tanh(gone)).toThrow(StateError);
    expect(() => tanh(gone)).toThrow(/tanh: data/);
    expect(() => add(live, gone)).toThrow(/add: rhs/);
    expect(() => multiply(gone, 3)).toThrow(/multiply: lhs/);
    expect(() => divide(3, gone)).toThrow(/divide: rhs/);
    expect(() => clip(gone, 0, 1)).toThrow(/clip/);
    expect(() => where(live, gone, live)).toThrow(/where: x/);
  });

  it('validates in native code too, when the TS layer is bypassed', () => {
    const a = zeros([2]);
    const h = a.handle;
    a.dispose();
    expect(() => raw.binaryOp(BinaryOp.add, h, h)).toThrow(StateError);
    expect(() => raw.binaryOp(BinaryOp.add, h, h)).toThrow(/add: lhs/);
    expect(() => raw.unaryOp(UnaryOp.exp, {})).toThrow(/exp: data must be an NDArray/);
    expect(() => raw.unaryOp(99, h)).toThrow(ValueError);
    expect(() => raw.binaryOp(-1, h, h)).toThrow(/unknown op id/);
    expect(() => raw.binaryOp(1.5, h, h)).toThrow(ValueError);
    const b = zeros([2]);
    expect(() => raw.binaryScalarOp(BinaryOp.mul, b.handle, 'x', false)).toThrow(/multiply: scalar must be a number/);
  });

  it('raises ValueError for bad clip bounds and two scalar operands', () => {
    const a = zeros([2]);
    expect(() => clip(a, 1, 0)).toThrow(ValueError);
    expect(() => clip(a, 1, 0)).toThrow(/clip: aMin/);
    expect(() => clip(a, NaN, 1)).toThrow(/clip/);
    expect(() => (add as unknown as (x: number, y: number) => NDArray)(1, 2)).toThrow(/add: at least one operand/);
  });

  it('raises ShapeError for where with mismatched shapes', () => {
    expect(() => where(zeros([3]), zeros([2, 3]), zeros([2, 3]))).toThrow(ShapeError);
    expect(() => where(zeros([2, 3]), zeros([2, 3]), zeros([3, 2]))).toThrow(/where: x \(2, 3\) and y \(3, 2\)/);
    expect(() => where(zeros([1]), zeros([]), zeros([]))).toThrow(/where: condition/);
    expect(() => where(zeros([2, 1]), zeros([2, 3]), zeros([2, 3]))).toThrow(ShapeError);
  });
});

describe('memory', () => {
  it('leaves no live handles or buffers behind', () => {
    const before = memoryStats();
    const a = nd([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = nd([1, 2, 3], [3]);
    for (let i = 0; i < 100; i++) {
      add(a, b).dispose();
      exp(a).dispose();
      multiply(2, a).dispose();
      where(b, b, b).dispose();
    }
    a.dispose();
    b.dispose();
    const after = memoryStats();
    expect(after.liveHandles).toBe(before.liveHandles);
    expect(after.liveBytes).toBe(before.liveBytes);
  });
});
