// Plan kernels of the element-wise family: unary math, clip, `_*_scalar`, the same-shape binary ops
// and broadcast_*, forward against float64 references and backward against finite differences, run
// in place, with their errors; and the unrolled LSTM language model that needs them.
import { BindError, type DType, DTypeError, type NDArray, random, seed, ShapeError, ValueError, zeros } from '@bkt/ndarray';
import { type KernelName, Plan } from '@bkt/ndarray/internal';
import {
  _div_scalar,
  _equal_scalar,
  _greater_equal_scalar,
  _greater_scalar,
  _lesser_equal_scalar,
  _lesser_scalar,
  _maximum,
  _maximum_scalar,
  _minimum,
  _minimum_scalar,
  _minus_scalar,
  _not_equal_scalar,
  _plus_scalar,
  _power,
  _power_scalar,
  _rdiv_scalar,
  _rminus_scalar,
  _rpower_scalar,
  abs,
  broadcast_add,
  broadcast_div,
  broadcast_equal,
  broadcast_greater,
  broadcast_greater_equal,
  broadcast_lesser,
  broadcast_lesser_equal,
  broadcast_maximum,
  broadcast_minimum,
  broadcast_mul,
  broadcast_not_equal,
  broadcast_power,
  broadcast_sub,
  clip,
  elemwise_div,
  elemwise_mul,
  elemwise_sub,
  Embedding,
  erf,
  exp,
  FullyConnected,
  log,
  negative,
  reciprocal,
  relu,
  Reshape,
  rsqrt,
  sigmoid,
  sign,
  SoftmaxOutput,
  softsign,
  sqrt,
  square,
  type Symbol,
  tanh,
  Variable,
} from '@bkt/symbol';
import { LSTMCell, SequentialRNNCell, zerosState } from '@bkt/symbol/rnn';
import { describe, expect, it } from 'vitest';

import { checkNumericGradient, Executor } from '../src/index.js';
import {
  erfReference,
  expectAllClose,
  expectError,
  makeRng,
  nd,
  sizeOf,
  tolerance,
  unravel,
  values,
} from '../../ndarray/test/helpers.js';
import { expectNoAllocations, forwardValues, runKernel } from './plan-harness.js';

const DTYPES: readonly DType[] = ['float32', 'float64'];
const rng = makeRng(42);
const x = Variable('x');
const lhs = Variable('lhs');
const rhs = Variable('rhs');

/** n values in [lo, hi]; with `signed`, each also negated at random (so |v| stays in [lo, hi]). */
function sample(n: number, lo: number, hi: number, signed = false): Float64Array {
  return Float64Array.from({ length: n }, () => (lo + (hi - lo) * rng()) * (signed && rng() < 0.5 ? -1 : 1));
}

/** The values a dtype actually holds (the reference then sees what the kernel sees). */
const rounded = (v: Float64Array, dtype: DType): Float64Array => (dtype === 'float32' ? v.map(Math.fround) : v);

const sigmoidRef = (v: number): number => 1 / (1 + Math.exp(-v));

interface UnaryCase {
  name: string;
  make: (s: Symbol) => Symbol;
  ref: (v: number) => number;
  lo: number;
  hi: number;
  signed?: boolean;
}

// Inputs stay clear of kinks (abs, relu, sign at 0) and of the poles of log, sqrt, rsqrt, reciprocal.
const UNARY: UnaryCase[] = [
  { name: 'exp', make: (s) => exp({ data: s }), ref: Math.exp, lo: -2, hi: 2 },
  { name: 'log', make: (s) => log({ data: s }), ref: Math.log, lo: 0.5, hi: 3 },
  { name: 'sqrt', make: (s) => sqrt({ data: s }), ref: Math.sqrt, lo: 0.5, hi: 3 },
  { name: 'rsqrt', make: (s) => rsqrt({ data: s }), ref: (v) => 1 / Math.sqrt(v), lo: 0.5, hi: 3 },
  { name: 'square', make: (s) => square({ data: s }), ref: (v) => v * v, lo: -2, hi: 2 },
  { name: 'abs', make: (s) => abs({ data: s }), ref: Math.abs, lo: 0.2, hi: 2, signed: true },
  { name: 'sign', make: (s) => sign({ data: s }), ref: Math.sign, lo: 0.2, hi: 2, signed: true },
  { name: 'tanh', make: (s) => tanh({ data: s }), ref: Math.tanh, lo: -2, hi: 2 },
  { name: 'sigmoid', make: (s) => sigmoid({ data: s }), ref: sigmoidRef, lo: -3, hi: 3 },
  { name: 'relu', make: (s) => relu({ data: s }), ref: (v) => Math.max(v, 0), lo: 0.2, hi: 2, signed: true },
  { name: 'softsign', make: (s) => softsign({ data: s }), ref: (v) => v / (1 + Math.abs(v)), lo: 0.1, hi: 3, signed: true },
  { name: 'negative', make: (s) => negative({ data: s }), ref: (v) => -v, lo: -2, hi: 2 },
  { name: 'reciprocal', make: (s) => reciprocal({ data: s }), ref: (v) => 1 / v, lo: 0.3, hi: 2, signed: true },
  { name: 'erf', make: (s) => erf({ data: s }), ref: erfReference, lo: -2, hi: 2 },
];

interface ScalarCase {
  name: string;
  make: (s: Symbol, scalar: number) => Symbol;
  ref: (v: number, s: number) => number;
  scalars: number[];
  lo: number;
  hi: number;
  signed?: boolean;
  /** Inputs from {-1, -0.5, 0, 0.5, 1}, so comparisons meet equal operands. */
  grid?: boolean;
}

const b = (v: boolean): number => (v ? 1 : 0);
const SCALAR: ScalarCase[] = [
  {
    name: '_plus_scalar',
    make: (s, scalar) => _plus_scalar({ data: s, scalar }),
    ref: (v, s) => v + s,
    scalars: [2.5, -1.5],
    lo: -2,
    hi: 2,
  },
  {
    name: '_minus_scalar',
    make: (s, scalar) => _minus_scalar({ data: s, scalar }),
    ref: (v, s) => v - s,
    scalars: [2.5, -1.5],
    lo: -2,
    hi: 2,
  },
  {
    name: '_rminus_scalar',
    make: (s, scalar) => _rminus_scalar({ data: s, scalar }),
    ref: (v, s) => s - v,
    scalars: [2.5, -1.5],
    lo: -2,
    hi: 2,
  },
  {
    name: '_div_scalar',
    make: (s, scalar) => _div_scalar({ data: s, scalar }),
    ref: (v, s) => v / s,
    scalars: [2.5, -0.5],
    lo: -2,
    hi: 2,
  },
  {
    name: '_rdiv_scalar',
    make: (s, scalar) => _rdiv_scalar({ data: s, scalar }),
    ref: (v, s) => s / v,
    scalars: [2.5, -1.5],
    lo: 0.3,
    hi: 2,
    signed: true,
  },
  {
    name: '_power_scalar',
    make: (s, scalar) => _power_scalar({ data: s, scalar }),
    ref: (v, s) => v ** s,
    scalars: [2, 0.5, -1.5],
    lo: 0.5,
    hi: 2,
  },
  {
    name: '_rpower_scalar',
    make: (s, scalar) => _rpower_scalar({ data: s, scalar }),
    ref: (v, s) => s ** v,
    scalars: [2.5, 0.5],
    lo: -2,
    hi: 2,
  },
  {
    name: '_maximum_scalar',
    make: (s, scalar) => _maximum_scalar({ data: s, scalar }),
    ref: Math.max,
    scalars: [0.25, -0.75],
    lo: -2,
    hi: 2,
  },
  {
    name: '_minimum_scalar',
    make: (s, scalar) => _minimum_scalar({ data: s, scalar }),
    ref: Math.min,
    scalars: [0.25, -0.75],
    lo: -2,
    hi: 2,
  },
  {
    name: '_equal_scalar',
    make: (s, scalar) => _equal_scalar({ data: s, scalar }),
    ref: (v, s) => b(v === s),
    scalars: [0.5, 0],
    lo: 0,
    hi: 0,
    grid: true,
  },
  {
    name: '_not_equal_scalar',
    make: (s, scalar) => _not_equal_scalar({ data: s, scalar }),
    ref: (v, s) => b(v !== s),
    scalars: [0.5],
    lo: 0,
    hi: 0,
    grid: true,
  },
  {
    name: '_greater_scalar',
    make: (s, scalar) => _greater_scalar({ data: s, scalar }),
    ref: (v, s) => b(v > s),
    scalars: [0.5],
    lo: 0,
    hi: 0,
    grid: true,
  },
  {
    name: '_greater_equal_scalar',
    make: (s, scalar) => _greater_equal_scalar({ data: s, scalar }),
    ref: (v, s) => b(v >= s),
    scalars: [0.5],
    lo: 0,
    hi: 0,
    grid: true,
  },
  {
    name: '_lesser_scalar',
    make: (s, scalar) => _lesser_scalar({ data: s, scalar }),
    ref: (v, s) => b(v < s),
    scalars: [0.5],
    lo: 0,
    hi: 0,
    grid: true,
  },
  {
    name: '_lesser_equal_scalar',
    make: (s, scalar) => _lesser_equal_scalar({ data: s, scalar }),
    ref: (v, s) => b(v <= s),
    scalars: [0.5],
    lo: 0,
    hi: 0,
    grid: true,
  },
];

const gridSample = (n: number): Float64Array =>
  Float64Array.from({ length: n }, () => [-1, -0.5, 0, 0.5, 1][Math.floor(rng() * 5)]!);
const scalarInput = (c: ScalarCase, n: number): Float64Array => (c.grid ? gridSample(n) : sample(n, c.lo, c.hi, c.signed));

type BinaryMake = (args: { lhs: Symbol; rhs: Symbol }) => Symbol;

interface BinaryCase {
  name: string;
  same: BinaryMake;
  broadcast: BinaryMake;
  ref: (l: number, r: number) => number;
  /** lhs and rhs values for n elements (kept where the op is smooth). */
  inputs: (nl: number, nr: number) => [Float64Array, Float64Array];
}

const free = (nl: number, nr: number): [Float64Array, Float64Array] => [sample(nl, -2, 2), sample(nr, -2, 2)];
// maximum/minimum: operands at least 0.1 apart, so no finite difference crosses the switch.
const apart = (nl: number, nr: number): [Float64Array, Float64Array] => [
  Float64Array.from({ length: nl }, (_, i) => (i % 2 === 0 ? 1 : -1) * (0.1 + rng())),
  Float64Array.from({ length: nr }, (_, i) => (i % 3 === 0 ? 1 : -1) * (0.1 + rng())),
];
const BINARY: BinaryCase[] = [
  { name: 'add', same: broadcast_add, broadcast: broadcast_add, ref: (l, r) => l + r, inputs: free },
  { name: 'sub', same: elemwise_sub, broadcast: broadcast_sub, ref: (l, r) => l - r, inputs: free },
  { name: 'mul', same: elemwise_mul, broadcast: broadcast_mul, ref: (l, r) => l * r, inputs: free },
  {
    name: 'div',
    same: elemwise_div,
    broadcast: broadcast_div,
    ref: (l, r) => l / r,
    inputs: (nl, nr) => [sample(nl, -2, 2), sample(nr, 0.5, 2, true)],
  },
  {
    name: 'power',
    same: _power,
    broadcast: broadcast_power,
    ref: (l, r) => l ** r,
    inputs: (nl, nr) => [sample(nl, 0.5, 2), sample(nr, -1.5, 1.5)],
  },
  { name: 'maximum', same: _maximum, broadcast: broadcast_maximum, ref: Math.max, inputs: apart },
  { name: 'minimum', same: _minimum, broadcast: broadcast_minimum, ref: Math.min, inputs: apart },
];

const COMPARISONS: [string, BinaryMake, (l: number, r: number) => number][] = [
  ['broadcast_equal', broadcast_equal, (l, r) => b(l === r)],
  ['broadcast_not_equal', broadcast_not_equal, (l, r) => b(l !== r)],
  ['broadcast_greater', broadcast_greater, (l, r) => b(l > r)],
  ['broadcast_greater_equal', broadcast_greater_equal, (l, r) => b(l >= r)],
  ['broadcast_lesser', broadcast_lesser, (l, r) => b(l < r)],
  ['broadcast_lesser_equal', broadcast_lesser_equal, (l, r) => b(l <= r)],
];

/** NumPy broadcasting of two shapes. */
function broadcastShape(a: readonly number[], c: readonly number[]): number[] {
  const n = Math.max(a.length, c.length);
  return Array.from({ length: n }, (_, k) => {
    const da = a[a.length - n + k] ?? 1;
    const dc = c[c.length - n + k] ?? 1;
    return da === 1 ? dc : da;
  });
}

/** The flat position in an array of `shape` that output multi-index `idx` reads under broadcasting. */
function sourceIndex(idx: readonly number[], shape: readonly number[]): number {
  let flat = 0;
  const off = idx.length - shape.length;
  shape.forEach((d, k) => (flat = flat * d + (d === 1 ? 0 : idx[off + k]!)));
  return flat;
}

function broadcastRef(
  l: Float64Array,
  ls: number[],
  r: Float64Array,
  rs: number[],
  f: (a: number, c: number) => number,
): Float64Array {
  const os = broadcastShape(ls, rs);
  return Float64Array.from({ length: sizeOf(os) }, (_, i) => {
    const idx = unravel(i, os);
    return f(l[sourceIndex(idx, ls)]!, r[sourceIndex(idx, rs)]!);
  });
}

/** Sums `g` (of the broadcast shape) over the axes along which an input of `shape` was broadcast. */
function sumToShape(g: Float64Array, os: number[], shape: number[]): Float64Array {
  const out = new Float64Array(sizeOf(shape));
  g.forEach((v, i) => (out[sourceIndex(unravel(i, os), shape)]! += v));
  return out;
}

const SHAPE_PAIRS: [number[], number[]][] = [
  [
    [2, 3],
    [2, 3],
  ],
  [
    [2, 3],
    [1, 3],
  ],
  [
    [2, 1],
    [1, 3],
  ],
  [[3], [2, 3]],
  [
    [4, 1, 3],
    [1, 5, 1],
  ],
  [
    [2, 3, 4],
    [3, 1],
  ],
  [[1], [2, 3]],
  [[2, 3], [1]],
  [
    [2, 1, 4, 1],
    [3, 1, 5],
  ],
];

function location(arrays: Record<string, [Float64Array, number[]]>): Record<string, NDArray> {
  return Object.fromEntries(Object.entries(arrays).map(([k, [v, s]]) => [k, nd(v, s, 'float64')]));
}

describe('unary plan kernels', () => {
  for (const c of UNARY) {
    it(`${c.name}: forward like the float64 reference, and its gradient`, () => {
      for (const dtype of DTYPES) {
        for (const shape of [[2, 3], [4, 1, 5], [1]]) {
          const v = rounded(sample(sizeOf(shape), c.lo, c.hi, c.signed), dtype);
          const [out] = forwardValues(c.make(x), { x: nd(v, shape, dtype) });
          expectAllClose(out!, v.map(c.ref), tolerance(dtype));
        }
      }
      checkNumericGradient(c.make(x), location({ x: [sample(6, c.lo, c.hi, c.signed), [2, 3]] }), { atol: 1e-8 });
    });
  }

  it('splits large arrays over the thread pool and still matches (exp, tanh, relu)', () => {
    const shape = [400, 400];
    const v = sample(sizeOf(shape), -2, 2);
    for (const c of UNARY.filter((u) => ['exp', 'tanh', 'relu'].includes(u.name))) {
      const [out] = forwardValues(c.make(x), { x: nd(v, shape, 'float64') });
      expectAllClose(out!, v.map(c.ref), tolerance('float64'));
    }
  });

  it('clip: forward for several bounds, and the gradient passes inside [a_min, a_max] only', () => {
    for (const dtype of DTYPES) {
      for (const [aMin, aMax] of [
        [-1, 2.5],
        [0, 0],
        [-0.5, 0.5],
      ] as const) {
        const v = rounded(sample(12, -3, 3), dtype);
        const [out] = forwardValues(clip({ data: x, aMin, aMax }), { x: nd(v, [3, 4], dtype) });
        expectAllClose(
          out!,
          v.map((e) => Math.min(Math.max(e, aMin), aMax)),
          tolerance(dtype),
        );
      }
    }
    // Values at least 0.1 from both bounds, some inside and some outside.
    const inside = Float64Array.from([-2.9, -1.5, -0.5, 0.3, 1.2, 2.4, 2.8, 3.5]);
    checkNumericGradient(clip({ data: x, aMin: -1, aMax: 2.5 }), location({ x: [inside, [2, 4]] }), { atol: 1e-8 });
    // The bounds themselves belong to the range, as MXNet's clip gradient has it.
    const exec = Executor.bind(clip({ data: x, aMin: -1, aMax: 2.5 }), {
      args: { x: nd([-1, 2.5, -1.01, 2.51], [4], 'float64') },
    });
    exec.forward({ isTrain: true });
    exec.backward([nd([1, 1, 1, 1], [4], 'float64')]);
    expect(values(exec.gradDict.x!)).toEqual(Float64Array.from([1, 1, 0, 0]));
    exec.dispose();
  });
});

describe('scalar plan kernels', () => {
  for (const c of SCALAR) {
    it(`${c.name}: forward like the float64 reference, and its gradient`, () => {
      for (const dtype of DTYPES) {
        for (const scalar of c.scalars) {
          const v = rounded(scalarInput(c, 24), dtype);
          const [out] = forwardValues(c.make(x, scalar), { x: nd(v, [2, 3, 4], dtype) });
          const s = dtype === 'float32' ? Math.fround(scalar) : scalar;
          expectAllClose(
            out!,
            v.map((e) => c.ref(e, s)),
            tolerance(dtype),
          );
        }
      }
      // Comparisons have a zero gradient; away from the scalar, finite differences agree.
      const v = c.grid ? sample(6, 0.6, 2, true) : scalarInput(c, 6);
      for (const scalar of c.scalars) checkNumericGradient(c.make(x, scalar), location({ x: [v, [3, 2]] }), { atol: 1e-8 });
    });
  }

  it('_maximum_scalar and _minimum_scalar send the gradient of a tie to the input', () => {
    for (const [make, name] of [
      [_maximum_scalar, 'max'],
      [_minimum_scalar, 'min'],
    ] as const) {
      const exec = Executor.bind(make({ data: x, scalar: 0.5 }), { args: { x: nd([0.5, 0.5], [2], 'float64') } });
      exec.forward({ isTrain: true });
      exec.backward([nd([3, 4], [2], 'float64')]);
      expect(values(exec.gradDict.x!), name).toEqual(Float64Array.from([3, 4]));
      exec.dispose();
    }
  });
});

describe('binary plan kernels', () => {
  for (const c of BINARY.filter((k) => k.name !== 'add')) {
    it(`${c.name} (same shapes): forward like the float64 reference, and its gradient`, () => {
      for (const dtype of DTYPES) {
        for (const shape of [[2, 3], [5], [3, 1, 2]]) {
          const [l, r] = c.inputs(sizeOf(shape), sizeOf(shape)).map((v) => rounded(v, dtype)) as [Float64Array, Float64Array];
          const [out] = forwardValues(c.same({ lhs, rhs }), { lhs: nd(l, shape, dtype), rhs: nd(r, shape, dtype) });
          expectAllClose(
            out!,
            l.map((e, i) => c.ref(e, r[i]!)),
            tolerance(dtype),
          );
        }
      }
      const [l, r] = c.inputs(6, 6);
      checkNumericGradient(c.same({ lhs, rhs }), location({ lhs: [l, [2, 3]], rhs: [r, [2, 3]] }), { atol: 1e-8 });
    });
  }

  it('_maximum and _minimum send the gradient of a tie to lhs', () => {
    for (const make of [_maximum, _minimum, broadcast_maximum, broadcast_minimum]) {
      const exec = Executor.bind(make({ lhs, rhs }), {
        args: { lhs: nd([1, 2], [2], 'float64'), rhs: nd([1, 2], [2], 'float64') },
      });
      exec.forward({ isTrain: true });
      exec.backward([nd([3, 4], [2], 'float64')]);
      expect(values(exec.gradDict.lhs!)).toEqual(Float64Array.from([3, 4]));
      expect(values(exec.gradDict.rhs!)).toEqual(Float64Array.from([0, 0]));
      exec.dispose();
    }
  });
});

describe('broadcast plan kernels', () => {
  for (const c of BINARY) {
    it(`broadcast_${c.name}: forward over broadcast shapes like the float64 reference, and its gradient`, () => {
      for (const dtype of DTYPES) {
        for (const [ls, rs] of SHAPE_PAIRS) {
          const [l, r] = c.inputs(sizeOf(ls), sizeOf(rs)).map((v) => rounded(v, dtype)) as [Float64Array, Float64Array];
          const [out] = forwardValues(c.broadcast({ lhs, rhs }), { lhs: nd(l, ls, dtype), rhs: nd(r, rs, dtype) });
          expectAllClose(out!, broadcastRef(l, ls, r, rs, c.ref), tolerance(dtype));
        }
      }
      for (const [ls, rs] of SHAPE_PAIRS.slice(1, 6)) {
        const [l, r] = c.inputs(sizeOf(ls), sizeOf(rs));
        checkNumericGradient(c.broadcast({ lhs, rhs }), location({ lhs: [l, ls], rhs: [r, rs] }), { atol: 1e-8 });
      }
    });
  }

  for (const [name, make, ref] of COMPARISONS) {
    it(`${name}: 0/1 in the inputs' dtype, with broadcasting`, () => {
      for (const dtype of DTYPES) {
        for (const [ls, rs] of SHAPE_PAIRS) {
          const l = gridSample(sizeOf(ls));
          const r = gridSample(sizeOf(rs));
          const [out] = forwardValues(make({ lhs, rhs }), { lhs: nd(l, ls, dtype), rhs: nd(r, rs, dtype) });
          expectAllClose(out!, broadcastRef(l, ls, r, rs, ref), tolerance(dtype));
        }
      }
      checkNumericGradient(
        make({ lhs, rhs }),
        location({ lhs: [sample(6, 0.6, 2, true), [2, 3]], rhs: [sample(3, -0.5, 0.5), [3]] }),
      );
    });
  }

  it('sums each gradient back to its input shape over the broadcast axes', () => {
    const cases: [BinaryMake, (g: number, l: number, r: number) => [number, number]][] = [
      [broadcast_add, (g) => [g, g]],
      [broadcast_sub, (g) => [g, -g]],
      [broadcast_mul, (g, l, r) => [g * r, g * l]],
      [broadcast_div, (g, l, r) => [g / r, (-g * l) / (r * r)]],
    ];
    for (const [ls, rs] of [
      [
        [4, 1, 3],
        [1, 5, 1],
      ],
      [[3], [2, 3]],
      [
        [2, 3, 4],
        [3, 1],
      ],
      [[1], [2, 3]],
      [
        [2, 1, 4, 1],
        [3, 1, 5],
      ],
    ] as [number[], number[]][]) {
      const os = broadcastShape(ls, rs);
      for (const dtype of DTYPES) {
        for (const [make, rule] of cases) {
          const l = rounded(sample(sizeOf(ls), 0.5, 2), dtype);
          const r = rounded(sample(sizeOf(rs), 0.5, 2), dtype);
          const g = rounded(sample(sizeOf(os), -1, 1), dtype);
          const exec = Executor.bind(make({ lhs, rhs }), { args: { lhs: nd(l, ls, dtype), rhs: nd(r, rs, dtype) } });
          exec.forward({ isTrain: true });
          exec.backward([nd(g, os, dtype)]);
          expect(exec.gradDict.lhs!.shape).toEqual(ls);
          expect(exec.gradDict.rhs!.shape).toEqual(rs);
          const terms = Array.from(g, (gv, i) => {
            const idx = unravel(i, os);
            return rule(gv, l[sourceIndex(idx, ls)]!, r[sourceIndex(idx, rs)]!);
          });
          const tol = dtype === 'float32' ? { rtol: 1e-5, atol: 1e-5 } : tolerance(dtype);
          expectAllClose(
            values(exec.gradDict.lhs!),
            sumToShape(
              Float64Array.from(terms, (t) => t[0]),
              os,
              ls,
            ),
            tol,
          );
          expectAllClose(
            values(exec.gradDict.rhs!),
            sumToShape(
              Float64Array.from(terms, (t) => t[1]),
              os,
              rs,
            ),
            tol,
          );
          exec.dispose();
        }
      }
    }
  });

  it('reduces large gradients over the thread pool like the reference (bias-like rhs)', () => {
    const ls = [600, 300];
    const rs = [1, 300];
    const l = sample(sizeOf(ls), -1, 1);
    const r = sample(sizeOf(rs), -1, 1);
    const g = sample(sizeOf(ls), -1, 1);
    const exec = Executor.bind(broadcast_mul({ lhs, rhs }), { args: { lhs: nd(l, ls, 'float64'), rhs: nd(r, rs, 'float64') } });
    exec.forward({ isTrain: true });
    exec.backward([nd(g, ls, 'float64')]);
    expectAllClose(
      values(exec.gradDict.lhs!),
      g.map((gv, i) => gv * r[i % 300]!),
      tolerance('float64'),
    );
    expectAllClose(
      values(exec.gradDict.rhs!),
      sumToShape(
        g.map((gv, i) => gv * l[i]!),
        ls,
        rs,
      ),
      { rtol: 1e-10, atol: 1e-10 },
    );
    exec.dispose();
  });
});

/** Runs one kernel whose outputs may be the same slots as its inputs. */
function runAliased(kernel: KernelName, slots: NDArray[], inputs: number[], outputs: number[], attrs: number[] = []): void {
  const plan = new Plan([{ kernel, inputs, outputs, attrs, node: 0 }], [`test '${kernel}'`], slots.length);
  try {
    slots.forEach((a, i) => plan.setSlot(i, a));
    plan.run(0, 1, true);
  } finally {
    plan.dispose();
  }
}

describe('element-wise kernels in place', () => {
  it('forward kernels write over an input of the output shape', () => {
    const v = sample(6, 0.5, 2);
    const w = sample(3, 0.5, 2);
    const cases: [KernelName, NDArray[], number[], (i: number) => number][] = [
      ['exp', [nd(v, [2, 3], 'float64')], [], (i) => Math.exp(v[i]!)],
      ['softsign', [nd(v, [2, 3], 'float64')], [], (i) => v[i]! / (1 + v[i]!)],
      ['rdiv_scalar', [nd(v, [2, 3], 'float64')], [3], (i) => 3 / v[i]!],
      ['clip', [nd(v, [2, 3], 'float64')], [0.7, 1.5], (i) => Math.min(Math.max(v[i]!, 0.7), 1.5)],
      ['elemwise_mul', [nd(v, [2, 3], 'float64'), nd(v, [2, 3], 'float64')], [], (i) => v[i]! * v[i]!],
      ['broadcast_power', [nd(v, [2, 3], 'float64'), nd(w, [1, 3], 'float64')], [], (i) => v[i]! ** w[i % 3]!],
    ];
    for (const [kernel, slots, attrs, want] of cases) {
      runAliased(
        kernel,
        slots,
        slots.map((_, i) => i),
        [0],
        attrs,
      );
      expectAllClose(
        values(slots[0]!),
        Float64Array.from({ length: 6 }, (_, i) => want(i)),
        tolerance('float64'),
      );
    }
    // rhs overwritten: the output takes the place of the second input.
    const l = nd(w, [1, 3], 'float64');
    const r = nd(v, [2, 3], 'float64');
    runAliased('broadcast_sub', [l, r], [0, 1], [1]);
    expectAllClose(
      values(r),
      Float64Array.from({ length: 6 }, (_, i) => w[i % 3]! - v[i]!),
      tolerance('float64'),
    );
  });

  it('unary backward kernels write over out_grad or the forward value', () => {
    const g = sample(6, -1, 1);
    const y = sample(6, -0.9, 0.9);
    for (const over of [0, 1]) {
      const slots = [nd(g, [6], 'float64'), nd(y, [6], 'float64')];
      runAliased('tanh_backward', slots, [0, 1], [over]);
      expectAllClose(
        values(slots[over]!),
        g.map((gv, i) => gv * (1 - y[i]! * y[i]!)),
        tolerance('float64'),
      );
    }
  });

  it('binary backward kernels give the same gradients when one overwrites out_grad, reduced or not', () => {
    const cases: [KernelName, number[], number[], boolean][] = [
      ['elemwise_mul_backward', [2, 3], [2, 3], true],
      ['elemwise_sub_backward', [2, 3], [2, 3], false],
      ['broadcast_mul_backward', [2, 3], [1, 3], true],
      ['broadcast_mul_backward', [1, 3], [2, 3], true],
      ['broadcast_div_backward', [2, 1], [2, 3], true],
      ['broadcast_add_backward', [2, 3], [3], false],
      ['broadcast_sub_backward', [2, 1], [2, 3], false],
    ];
    for (const [kernel, ls, rs, usesInputs] of cases) {
      const os = broadcastShape(ls, rs);
      const g = sample(sizeOf(os), -1, 1);
      const l = sample(sizeOf(ls), 0.5, 2);
      const r = sample(sizeOf(rs), 0.5, 2);
      const ins = (): NDArray[] => [nd(g, os, 'float64'), ...(usesInputs ? [nd(l, ls, 'float64'), nd(r, rs, 'float64')] : [])];
      const fresh = ins();
      const want = [zeros(ls, { dtype: 'float64' }), zeros(rs, { dtype: 'float64' })];
      runKernel(kernel, fresh, want, []);
      // Each gradient with out_grad's shape may take out_grad's place.
      for (const k of [0, 1]) {
        if (sizeOf([ls, rs][k]!) !== sizeOf(os)) continue;
        const slots = ins();
        const other = zeros([ls, rs][1 - k]!, { dtype: 'float64' });
        slots.push(other);
        const outputs = k === 0 ? [0, slots.length - 1] : [slots.length - 1, 0];
        runAliased(
          kernel,
          slots,
          slots.slice(0, -1).map((_, i) => i),
          outputs,
        );
        expectAllClose(values(slots[0]!), values(want[k]!), tolerance('float64'));
        expectAllClose(values(other), values(want[1 - k]!), tolerance('float64'));
      }
    }
  });
});

describe('element-wise errors', () => {
  it('rejects incompatible shapes at bind and bad attributes in the symbol layer', () => {
    expect(() => Executor.simpleBind(elemwise_mul({ lhs, rhs }), { shapes: { lhs: [2, 3], rhs: [3, 2] } })).toThrow(ShapeError);
    expect(() => Executor.simpleBind(broadcast_add({ lhs, rhs }), { shapes: { lhs: [2, 3], rhs: [4, 3] } })).toThrow(ShapeError);
    expectError(() => clip({ data: x, aMax: 1 } as never), ValueError, /a_min/);
    expectError(() => _plus_scalar({ data: x } as never), ValueError, /scalar/);
    const exec = Executor.simpleBind(clip({ data: x, aMin: 2, aMax: 1, name: 'c' }), { shapes: { x: [2] } });
    expectError(() => exec.forward(), ValueError, /clip.*aMin/);
    exec.dispose();
  });

  it('validates malformed plans natively: arity, attributes, shapes, dtypes', () => {
    const f = (s: number[], dtype: DType = 'float32'): NDArray => zeros(s, { dtype });
    expectError(
      () => runKernel('tanh_backward', [f([3])], [f([3])], []),
      BindError,
      /_backward_tanh: the plan gives 1 inputs and 1 outputs, the kernel takes 2 inputs and 1 outputs/,
    );
    expectError(
      () => runKernel('plus_scalar', [f([3])], [f([3])], []),
      BindError,
      /_plus_scalar: the plan gives 0 attributes, the kernel takes 1/,
    );
    expectError(
      () => runKernel('clip', [f([3])], [f([3])], [1]),
      BindError,
      /clip: the plan gives 1 attributes, the kernel takes 2/,
    );
    expectError(() => runKernel('elemwise_mul', [f([2, 3]), f([3, 2])], [f([2, 3])], []), ShapeError, /elemwise_mul/);
    expectError(() => runKernel('broadcast_add', [f([2, 3]), f([1, 3])], [f([3, 2])], []), ShapeError, /add.*output \(3, 2\)/);
    expectError(() => runKernel('exp', [f([4])], [f([5])], []), ShapeError, /exp/);
    expectError(
      () => runKernel('exp', [zeros([4], { dtype: 'int32' })], [zeros([4], { dtype: 'int32' })], []),
      DTypeError,
      /exp/,
    );
    expectError(() => runKernel('relu_backward', [f([4]), f([4], 'float64')], [f([4])], []), DTypeError, /_backward_relu/);
    expectError(
      () => runKernel('erf', [zeros([4], { dtype: 'int32' })], [zeros([4], { dtype: 'int32' })], []),
      DTypeError,
      /erf/,
    );
    expectError(() => runKernel('erf_backward', [f([3])], [f([3])], []), BindError, /_backward_erf: the plan gives 1 inputs/);
    expectError(() => runKernel('erf_backward', [f([4]), f([5])], [f([4])], []), ShapeError, /_backward_erf/);
    expectError(
      () => runKernel('broadcast_mul_backward', [f([2, 3]), f([2, 3]), f([4])], [f([2, 3]), f([4])], []),
      ShapeError,
      /_backward_broadcast_mul/,
    );
    expectError(
      () => runKernel('elemwise_sub_backward', [f([2, 3])], [f([2, 3]), f([3])], []),
      ShapeError,
      /_backward_sub.*rhs gradient/,
    );
    expectError(
      () => runKernel('broadcast_div_backward', [f([2, 3]), f([3]), f([2, 3])], [f([2, 3]), f([2, 3])], []),
      ShapeError,
      /lhs/,
    );
  });
});

describe('element-wise kernels in an executor', () => {
  it('run forward and backward without allocating', () => {
    const net = broadcast_mul({ lhs: tanh({ data: _plus_scalar({ data: lhs, scalar: 1 }) }), rhs: sigmoid({ data: rhs }) });
    const exec = Executor.simpleBind(elemwise_mul({ lhs: net, rhs: net }), { shapes: { lhs: [4, 3], rhs: [1, 3] } });
    expectNoAllocations(exec);
    exec.dispose();
  });

  it('binds and trains the unrolled 2-layer LSTM language model of bench/lm.ts', () => {
    const V = 7;
    const H = 8;
    const build = (withLoss: boolean): Symbol => {
      const stack = new SequentialRNNCell();
      for (let i = 0; i < 2; i++) stack.add(new LSTMCell(H, { prefix: `lstm_l${i}_` }));
      const embed = Embedding({ data: Variable('data'), name: 'embed', inputDim: V, outputDim: 6 });
      // The gradient check runs in float64, so its zero begin states must be float64 too.
      const beginState = withLoss ? undefined : stack.beginState(zerosState, { dtype: 'float64' });
      const { outputs } = stack.unroll(5, embed, { mergeOutputs: true, ...(beginState ? { beginState } : {}) });
      const pred = FullyConnected({ data: Reshape({ data: outputs as Symbol, shape: [-1, H] }), name: 'pred', numHidden: V });
      return withLoss
        ? SoftmaxOutput({ data: pred, label: Reshape({ data: Variable('softmax_label'), shape: [-1] }), name: 'softmax' })
        : pred;
    };
    seed(11);
    const sym = build(true);
    const gradReq = Object.fromEntries(
      sym.listArguments().map((n) => [n, n === 'data' || n === 'softmax_label' ? 'null' : 'write'] as const),
    );
    const exec = Executor.simpleBind(sym, { shapes: { data: [3, 5], softmax_label: [3, 5] }, gradReq });
    for (const [name, a] of Object.entries(exec.argDict)) {
      const init =
        name === 'data' || name === 'softmax_label'
          ? random.randint(0, V, a.shape).astype('float32')
          : random.uniform(-0.3, 0.3, a.shape);
      init.copyTo(a);
      init.dispose();
    }
    const [probs] = exec.forward({ isTrain: true });
    expect(probs!.shape).toEqual([15, V]);
    const p = values(probs!);
    for (let row = 0; row < 15; row++) expect(p.subarray(row * V, (row + 1) * V).reduce((s, e) => s + e, 0)).toBeCloseTo(1, 5);
    exec.backward();
    for (const [name, grad] of Object.entries(exec.gradDict)) {
      const gv = values(grad);
      expect(gv.every(Number.isFinite), name).toBe(true);
      expect(
        gv.some((e) => e !== 0),
        name,
      ).toBe(true);
    }
    expectNoAllocations(exec);
    exec.dispose();

    // The gradients through all five steps and both layers agree with finite differences.
    const net = build(false);
    const shapes = net.inferShape({ data: [3, 5] }).argShapes;
    const loc = Object.fromEntries(
      net
        .listArguments()
        .map((n, i) => [
          n,
          n === 'data'
            ? nd([0, 3, 6, 2, 2, 5, 1, 4, 0, 6, 3, 3, 1, 5, 2], [3, 5], 'float64')
            : random.uniform(-0.5, 0.5, shapes[i]!, { dtype: 'float64' }),
        ]),
    );
    checkNumericGradient(net, loc, {
      noGrad: ['data'],
      gradNodes: ['embed_weight', 'lstm_l0_i2h_bias', 'lstm_l1_h2h_bias'],
      atol: 1e-8,
    });
  });
});
