// The shape and indexing ops through the executor: Flatten, expand_dims, squeeze, transpose, SwapAxis,
// slice_axis, stack, take, pick, one_hot, where, ones_like and Cast, forward against float64
// references, gradients against finite differences, and their errors.
import { BindError, type DType, IndexError, type NDArray, random, seed, ShapeError, ValueError, zeros } from '@bkt/ndarray';
import { viewBytes } from '@bkt/ndarray/internal';
import {
  Cast,
  expand_dims,
  Flatten,
  one_hot,
  ones_like,
  pick,
  slice_axis,
  squeeze,
  stack,
  SwapAxis,
  type Symbol,
  take,
  transpose,
  Variable,
  where,
} from '@bkt/symbol';
import { describe, expect, it } from 'vitest';

import {
  expectError,
  makeRng,
  nd,
  randomValues,
  ravel,
  roundToBFloat16,
  sizeOf,
  unravel,
  values,
} from '../../ndarray/test/helpers.js';
import { checkNumericGradient, Executor } from '../src/index.js';
import { expectNoAllocations, forwardValues, runKernel } from './plan-harness.js';

const DTYPES: readonly DType[] = ['float32', 'float64'];
const x = Variable('x');
const f64 = (a: NDArray): number[] => Array.from(a.toArray());

/** Output element i of an op that maps output multi-indices to input ones. */
function gatherRef(
  data: ArrayLike<number>,
  inShape: number[],
  outShape: number[],
  source: (outIdx: number[]) => number[],
): number[] {
  return Array.from({ length: sizeOf(outShape) }, (_, f) => data[ravel(source(unravel(f, outShape)), inShape)]!);
}

function transposeRef(data: ArrayLike<number>, shape: number[], perm: number[]): number[] {
  const out = perm.map((p) => shape[p]!);
  return gatherRef(data, shape, out, (o) => {
    const i = new Array<number>(shape.length);
    perm.forEach((p, k) => (i[p] = o[k]!));
    return i;
  });
}

function resolveIndex(j: number, n: number, mode: 'clip' | 'wrap'): number {
  const t = Math.trunc(j);
  return mode === 'wrap' ? ((t % n) + n) % n : Math.min(Math.max(t, 0), n - 1);
}

function randomData(rng: () => number, shape: number[], dtype: DType): NDArray {
  return nd(randomValues(rng, sizeOf(shape)), shape, dtype);
}

function uniform(shape: number[]): NDArray {
  return random.uniform(-1, 1, shape, { dtype: 'float64' });
}

describe('Flatten, expand_dims, squeeze (copies)', () => {
  it.each(DTYPES)('keep the elements in order under the new shape (%s)', (dtype) => {
    const rng = makeRng(31);
    const data = randomData(rng, [2, 3, 1, 2], dtype);
    const cases: [Symbol, number[]][] = [
      [Flatten({ data: x }), [2, 6]],
      [expand_dims({ data: x, axis: 1 }), [2, 1, 3, 1, 2]],
      [expand_dims({ data: x, axis: -1 }), [2, 3, 1, 2, 1]],
      [squeeze({ data: x }), [2, 3, 2]],
      [squeeze({ data: x, axis: 2 }), [2, 3, 2]],
    ];
    for (const [net, shape] of cases) {
      const exec = Executor.bind(net, { args: { x: data }, gradReq: 'null' });
      const [out] = exec.forward();
      expect(out!.shape).toEqual(shape);
      expect(f64(out!)).toEqual(f64(data));
      exec.dispose();
    }
  });

  it('pass checkNumericGradient (_backward_copy, _backward_reshape, _backward_squeeze)', () => {
    seed(32);
    for (const net of [Flatten({ data: x }), expand_dims({ data: x, axis: 0 }), squeeze({ data: x, axis: [2] })]) {
      checkNumericGradient(net, { x: uniform([2, 3, 1, 2]) });
    }
  });

  it('reject a squeeze of an axis longer than 1 at bind', () => {
    expectError(
      () => Executor.simpleBind(squeeze({ data: x, axis: 1 }), { shapes: { x: [2, 3] } }),
      ShapeError,
      /cannot squeeze axis 1/,
    );
  });
});

describe('transpose, SwapAxis', () => {
  it.each(DTYPES)('permute like the reference, reversing the axes by default (%s)', (dtype) => {
    const rng = makeRng(33);
    const shape = [2, 3, 4, 5];
    const data = randomData(rng, shape, dtype);
    const vals = f64(data);
    const cases: [Symbol, number[]][] = [
      [transpose({ data: x }), [3, 2, 1, 0]],
      [transpose({ data: x, axes: [0, 2, 3, 1] }), [0, 2, 3, 1]],
      [transpose({ data: x, axes: [1, 0, -1, 2] }), [1, 0, 3, 2]],
      [SwapAxis({ data: x, dim1: 1, dim2: 3 }), [0, 3, 2, 1]],
      [SwapAxis({ data: x, dim1: 0, dim2: -1 }), [3, 1, 2, 0]],
      [SwapAxis({ data: x, dim1: 2, dim2: 2 }), [0, 1, 2, 3]],
    ];
    for (const [net, perm] of cases) {
      const [got] = forwardValues(net, { x: data });
      expect(Array.from(got!)).toEqual(transposeRef(vals, shape, perm));
    }
  });

  it('pass checkNumericGradient', () => {
    seed(34);
    for (const net of [
      transpose({ data: x }),
      transpose({ data: x, axes: [1, 2, 0] }),
      SwapAxis({ data: x, dim1: 0, dim2: 2 }),
    ]) {
      checkNumericGradient(net, { x: uniform([2, 3, 4]) });
    }
  });

  it('reject bad permutations at bind and malformed plans in the kernel', () => {
    const repeated = transpose({ data: x, axes: [0, 0] });
    expectError(() => Executor.simpleBind(repeated, { shapes: { x: [2, 3] }, gradReq: 'null' }), ShapeError, /repeat an axis/);
    expectError(() => Executor.simpleBind(repeated, { shapes: { x: [2, 3] } }), ValueError, /repeat an axis/);
    expectError(
      () => Executor.simpleBind(SwapAxis({ data: x, dim1: 2 }), { shapes: { x: [2, 3] } }),
      ShapeError,
      /axis 2 is out of range/,
    );
    const data = nd([1, 2, 3, 4, 5, 6], [2, 3]);
    expectError(
      () => runKernel('transpose', [data], [nd(new Array(6).fill(0), [2, 3])], [0]),
      ShapeError,
      /transpose: the output/,
    );
    expectError(
      () => runKernel('transpose', [data], [nd(new Array(6).fill(0), [3, 2])], [2, 0]),
      BindError,
      /transpose: attribute list/,
    );
    expectError(() => runKernel('swap_axis', [data], [nd(new Array(6).fill(0), [3, 2])], [0, 2]), ShapeError, /SwapAxis: axis 2/);
  });
});

describe('slice_axis', () => {
  // [shape, axis, begin, end]
  const CASES: [number[], number, number, number | null][] = [
    [[5, 3], 0, 1, 4],
    [[2, 6, 2], 1, -4, null],
    [[2, 6, 2], -1, 0, 1],
    [[3, 4], 1, 1, -1],
    [[7], 0, 0, null],
  ];

  it.each(DTYPES)('copies begin..end along the axis (%s)', (dtype) => {
    const rng = makeRng(35);
    for (const [shape, axis, begin, end] of CASES) {
      const data = randomData(rng, shape, dtype);
      const a = axis < 0 ? axis + shape.length : axis;
      const n = shape[a]!;
      const b = begin < 0 ? begin + n : begin;
      const e = end === null ? n : end < 0 ? end + n : end;
      const outShape = shape.map((d, i) => (i === a ? e - b : d));
      const want = gatherRef(f64(data), shape, outShape, (o) => o.map((v, i) => (i === a ? v + b : v)));
      const [got] = forwardValues(slice_axis({ data: x, axis, begin, end }), { x: data });
      expect(Array.from(got!)).toEqual(want);
    }
  });

  it('passes checkNumericGradient (zeros outside the slice)', () => {
    seed(36);
    for (const [shape, axis, begin, end] of CASES)
      checkNumericGradient(slice_axis({ data: x, axis, begin, end }), { x: uniform(shape) });
  });

  it('rejects an empty or reversed slice at bind and in the kernel', () => {
    expectError(
      () => Executor.simpleBind(slice_axis({ data: x, axis: 0, begin: 3, end: 2 }), { shapes: { x: [4] } }),
      ShapeError,
      /invalid begin=3/,
    );
    const data = nd([1, 2, 3, 4], [4]);
    expectError(
      () => runKernel('slice_axis', [data], [nd([0], [1])], [0, 3, 1, 9]),
      ShapeError,
      /slice_axis: invalid begin=3, end=9/,
    );
    expectError(() => runKernel('slice_axis', [data], [nd([0, 0], [2])], [0, 1, 1, 2]), ShapeError, /slice_axis: output/);
    expectError(
      () => runKernel('slice_axis_backward', [nd([1, 1], [2])], [nd([0, 0, 0], [3])], [0, 0, 0, 0]),
      ShapeError,
      /out_grad/,
    );
  });
});

describe('stack', () => {
  it.each(DTYPES)('joins along a new axis at every position (%s)', (dtype) => {
    const rng = makeRng(37);
    const shape = [2, 3];
    const parts = [0, 1, 2].map(() => randomData(rng, shape, dtype));
    const vals = parts.map(f64);
    const vars = ['a', 'b', 'c'].map((n) => Variable(n));
    for (const axis of [0, 1, 2, -1]) {
      const a = axis < 0 ? axis + 3 : axis;
      const outShape = [...shape.slice(0, a), 3, ...shape.slice(a)];
      const want = Array.from({ length: sizeOf(outShape) }, (_, f) => {
        const idx = unravel(f, outShape);
        const [k] = idx.splice(a, 1);
        return vals[k!]![ravel(idx, shape)]!;
      });
      const [got] = forwardValues(stack({ data: vars, axis }), { a: parts[0]!, b: parts[1]!, c: parts[2]! });
      expect(Array.from(got!)).toEqual(want);
    }
  });

  it('passes checkNumericGradient (_backward_stack splits the gradient)', () => {
    seed(38);
    for (const axis of [0, 1, 2]) {
      const net = stack({ data: [Variable('a'), Variable('b')], axis });
      checkNumericGradient(net, { a: uniform([2, 3]), b: uniform([2, 3]) });
    }
  });

  it('rejects mismatched shapes at bind and in the kernel', () => {
    expectError(
      () => Executor.simpleBind(stack({ data: [Variable('a'), Variable('b')] }), { shapes: { a: [2, 3], b: [3, 2] } }),
      ShapeError,
      /inconsistent shape/,
    );
    const a = nd([1, 2], [2]);
    expectError(
      () => runKernel('stack', [a, nd([1, 2, 3], [3])], [nd([0, 0, 0, 0], [2, 2])], [0]),
      ShapeError,
      /stack: array 1 has shape \(3,\)/,
    );
    expectError(() => runKernel('stack', [a], [nd([0, 0, 0, 0], [2, 2])], [0]), ShapeError, /does not hold 1 arrays/);
  });
});

describe('take', () => {
  // [data shape, indices, indices shape, axis, mode]
  const CASES: [number[], number[], number[], number, 'clip' | 'wrap'][] = [
    [[5, 3], [0, 4, 2, 2], [4], 0, 'clip'],
    [[5, 3], [1, -1, 7, 0, 2, 1], [2, 3], 0, 'clip'],
    [[2, 4, 3], [3, 0, 3], [3], 1, 'wrap'],
    [[2, 4, 3], [-1, 5, 1.7, 2], [2, 2], -1, 'wrap'],
    [[6], [5, 5, 0], [3], 0, 'clip'],
  ];

  it.each(DTYPES)('gathers slices along the axis with clip and wrap (%s)', (dtype) => {
    const rng = makeRng(39);
    for (const [shape, idx, idxShape, axis, mode] of CASES) {
      const data = randomData(rng, shape, dtype);
      const a = axis < 0 ? axis + shape.length : axis;
      const outShape = [...shape.slice(0, a), ...idxShape, ...shape.slice(a + 1)];
      const want = gatherRef(f64(data), shape, outShape, (o) => {
        const j = idx[ravel(o.slice(a, a + idxShape.length), idxShape)]!;
        return [...o.slice(0, a), resolveIndex(j, shape[a]!, mode), ...o.slice(a + idxShape.length)];
      });
      const [got] = forwardValues(take({ a: Variable('x'), indices: Variable('i'), axis, mode }), {
        x: data,
        i: nd(idx, idxShape, 'int32'),
      });
      expect(Array.from(got!)).toEqual(want);
    }
  });

  it('passes checkNumericGradient, duplicate and out-of-range indices included (scatter-add)', () => {
    seed(40);
    for (const [shape, idx, idxShape, axis, mode] of CASES) {
      const net = take({ a: Variable('x'), indices: Variable('i'), axis, mode });
      checkNumericGradient(net, { x: uniform(shape), i: nd(idx, idxShape, 'float64') }, { noGrad: ['i'] });
    }
  });

  it('raises IndexError for an out-of-range index in mode raise, and the symbol layer rejects an unknown mode', () => {
    const net = take({ a: Variable('x'), indices: Variable('i'), mode: 'raise' });
    expectError(
      () => forwardValues(net, { x: nd([1, 2, 3], [3]), i: nd([3], [1]) }),
      IndexError,
      /take: index 3 is out of bounds/,
    );
    expect(Array.from(forwardValues(net, { x: nd([1, 2, 3], [3]), i: nd([2, 0], [2]) })[0]!)).toEqual([3, 1]);
    expectError(() => take({ a: Variable('x'), indices: Variable('i'), mode: 'nope' as 'clip' }), ValueError, /mode/);
    expectError(
      () => runKernel('take', [nd([1, 2, 3], [3]), nd([0], [1])], [nd([0], [1])], [0, 7]),
      ValueError,
      /take: unknown mode code 7/,
    );
    expectError(
      () => runKernel('take', [nd([1, 2, 3], [3]), nd([0], [1])], [nd([0], [1], 'float64')], [0, 0]),
      Error,
      /take: the output is float64/,
    );
  });
});

describe('pick', () => {
  it.each(DTYPES)('picks one element per position along the axis (%s)', (dtype) => {
    const rng = makeRng(41);
    for (const [shape, axis, mode, keepdims] of [
      [[3, 4], 1, 'clip', false],
      [[3, 4], 0, 'wrap', true],
      [[2, 5, 3], -2, 'clip', false],
      [[2, 5, 3], 2, 'wrap', false],
    ] as [number[], number, 'clip' | 'wrap', boolean][]) {
      const data = randomData(rng, shape, dtype);
      const a = axis < 0 ? axis + shape.length : axis;
      const n = shape[a]!;
      const idxShape = shape.filter((_, i) => i !== a);
      const idx = Array.from({ length: sizeOf(idxShape) }, () => Math.floor(rng() * (n + 4)) - 2);
      const want = gatherRef(f64(data), shape, idxShape, (o) => [
        ...o.slice(0, a),
        resolveIndex(idx[ravel(o, idxShape)]!, n, mode),
        ...o.slice(a),
      ]);
      const index = nd(idx, keepdims ? shape.map((d, i) => (i === a ? 1 : d)) : idxShape, 'float32');
      const exec = Executor.bind(pick({ data: x, index: Variable('i'), axis, mode, keepdims }), {
        args: { x: data, i: index },
        gradReq: 'null',
      });
      expect(f64(exec.forward()[0]!)).toEqual(want);
      exec.dispose();
    }
  });

  it('passes checkNumericGradient', () => {
    seed(42);
    const net = pick({ data: x, index: Variable('i'), axis: 1 });
    checkNumericGradient(net, { x: uniform([3, 4]), i: nd([0, 3, 9], [3], 'float64') }, { noGrad: ['i'] });
    const wrap = pick({ data: x, index: Variable('i'), axis: 0, mode: 'wrap' });
    checkNumericGradient(wrap, { x: uniform([3, 2]), i: nd([-1, 4], [2], 'float64') }, { noGrad: ['i'] });
  });

  it('rejects a bad index shape at bind and in the kernel', () => {
    expectError(
      () => Executor.simpleBind(pick({ data: x, index: Variable('i'), axis: 1 }), { shapes: { x: [3, 4], i: [4] } }),
      ShapeError,
      /inconsistent shape/,
    );
    expectError(
      () => runKernel('pick', [nd([1, 2, 3, 4], [2, 2]), nd([0], [1])], [nd([0, 0], [2])], [1, 0]),
      ShapeError,
      /pick: index/,
    );
    expectError(
      () => runKernel('pick', [nd([1, 2, 3, 4], [2, 2]), nd([0, 0], [2])], [nd([0, 0], [2])], [1, 2]),
      ValueError,
      /mode must be/,
    );
  });
});

describe('one_hot, ones_like, where, Cast', () => {
  it('one_hot writes on_value at each index, off_value elsewhere, in its dtype', () => {
    const idx = [0, 3, -1, 2, 5, 1.9];
    const net = one_hot({ indices: Variable('i'), depth: 4, onValue: 2.5, offValue: -1, dtype: 'float64' });
    const exec = Executor.bind(net, { args: { i: nd(idx, [2, 3]) }, gradReq: 'null' });
    const [out] = exec.forward();
    expect(out!.shape).toEqual([2, 3, 4]);
    expect(out!.dtype).toBe('float64');
    const want = idx.flatMap((j) => [0, 1, 2, 3].map((k) => (Math.trunc(j) === k ? 2.5 : -1)));
    expect(f64(out!)).toEqual(want);
    exec.dispose();
    const ints = forwardValues(one_hot({ indices: Variable('i'), depth: 3, dtype: 'int32' }), { i: nd([2, 0], [2], 'int32') });
    expect(Array.from(ints[0]!)).toEqual([0, 0, 1, 1, 0, 0]);
  });

  it('ones_like gives ones of the input type and a zero gradient', () => {
    expect(Array.from(forwardValues(ones_like({ data: x }), { x: nd([5, -2, 7], [3], 'float64') })[0]!)).toEqual([1, 1, 1]);
    seed(43);
    checkNumericGradient(ones_like({ data: x }), { x: uniform([2, 3]) });
  });

  it.each(DTYPES)('where chooses from x or y element-wise or by row (%s)', (dtype) => {
    const rng = makeRng(44);
    const xs = randomData(rng, [3, 2], dtype);
    const ys = randomData(rng, [3, 2], dtype);
    const net = where({ condition: Variable('c'), x: Variable('x'), y: Variable('y') });
    const cond = [1, 0, 0, -2, 0.5, 0];
    const [elem] = forwardValues(net, { c: nd(cond, [3, 2]), x: xs, y: ys });
    expect(Array.from(elem!)).toEqual(cond.map((c, i) => (c !== 0 ? f64(xs)[i]! : f64(ys)[i]!)));
    const rows = [0, 3, 0];
    const [byRow] = forwardValues(net, { c: nd(rows, [3], 'int32'), x: xs, y: ys });
    expect(Array.from(byRow!)).toEqual(f64(xs).map((v, i) => (rows[Math.floor(i / 2)] !== 0 ? v : f64(ys)[i]!)));
  });

  it('where passes checkNumericGradient for x and y, with both condition layouts', () => {
    seed(45);
    const net = where({ condition: Variable('c'), x: Variable('x'), y: Variable('y') });
    checkNumericGradient(
      net,
      { c: nd([1, 0, 0, 1, 1, 0], [3, 2], 'float64'), x: uniform([3, 2]), y: uniform([3, 2]) },
      { noGrad: ['c'] },
    );
    checkNumericGradient(net, { c: nd([0, 1, 1], [3], 'float64'), x: uniform([3, 2]), y: uniform([3, 2]) }, { noGrad: ['c'] });
  });

  it('Cast converts forward and casts the gradient back to the input type', () => {
    const exec = Executor.bind(Cast({ data: x, dtype: 'int32' }), {
      args: { x: nd([1.7, -2.2, 3], [3], 'float64') },
      gradReq: 'null',
    });
    const [out] = exec.forward();
    expect(out!.dtype).toBe('int32');
    expect(f64(out!)).toEqual([1, -2, 3]);
    exec.dispose();
    const f32 = Executor.bind(Cast({ data: x, dtype: 'float32' }), { args: { x: nd([0.1, 2], [2], 'float64') } });
    f32.forward({ isTrain: true });
    f32.backward([nd([0.25, -3], [2], 'float32')]);
    expect(f32.gradDict.x!.dtype).toBe('float64');
    expect(f64(f32.gradDict.x!)).toEqual([0.25, -3]);
    f32.dispose();
    seed(46);
    checkNumericGradient(Cast({ data: x, dtype: 'float64' }), { x: uniform([4]) });
  });

  it('Cast to bfloat16 rounds to nearest even and casts the gradient back', () => {
    // Ties between two bfloat16 values (1 + 2^-8 goes to 1, 1 + 3 * 2^-8 to 1 + 2^-6), a float32
    // value beyond float16's range, and random values checked against the helpers' own rounding.
    const input = [1 + 2 ** -8, 1 + 3 * 2 ** -8, -1e30, 0.1, ...randomValues(makeRng(12), 20, -8, 8)];
    const exec = Executor.bind(Cast({ data: x, dtype: 'bfloat16' }), { args: { x: nd(input, [24], 'float64') } });
    const [out] = exec.forward({ isTrain: true });
    expect(out!.dtype).toBe('bfloat16');
    expect(f64(out!)).toEqual(input.map(roundToBFloat16));
    const ograd = randomValues(makeRng(13), 24, -3, 3);
    exec.backward([nd(ograd, [24], 'bfloat16')]);
    expect(exec.gradDict.x!.dtype).toBe('float64');
    expect(f64(exec.gradDict.x!)).toEqual(Array.from(ograd, roundToBFloat16));
    exec.dispose();
    // The round trip through bfloat16 in a float64 graph: its staircase has slope 1 on average, so a
    // central difference wider than the bfloat16 step (2^-7 on [1, 2)) sees the passed-through
    // gradient to within step / (2 eps) relative, plus the gradient's own rounding to bfloat16.
    checkNumericGradient(
      Cast({ data: Cast({ data: x, dtype: 'bfloat16' }), dtype: 'float64' }),
      { x: nd(randomValues(makeRng(14), 6, 1.05, 1.45), [6], 'float64') },
      { eps: 0.25, rtol: 0.03, atol: 0 },
    );
  });

  it('Cast refuses to convert in place between types of different sizes', () => {
    const buffer = zeros([4], { dtype: 'float64' });
    const asF32 = viewBytes(buffer, 0, [2], 'float32');
    const asF64 = viewBytes(buffer, 0, [2], 'float64');
    expectError(() => runKernel('cast', [asF32], [asF64], []), ValueError, /Cast: cannot convert float32 to float64 in place/);
    [asF32, asF64, buffer].forEach((a) => a.dispose());
  });

  it('rejects malformed one_hot and where plans in the kernel', () => {
    expectError(() => runKernel('one_hot', [nd([1], [1])], [nd([0, 0], [2])], [3, 1, 0]), ShapeError, /oneHot: output/);
    expectError(
      () => runKernel('where', [nd([1, 0], [2]), nd([1, 2, 3], [3]), nd([1, 2, 3], [3])], [nd([0, 0, 0], [3])], []),
      ShapeError,
      /where: condition/,
    );
    expectError(
      () =>
        runKernel(
          'where_backward',
          [nd([1, 2, 3, 4], [2, 2]), nd([1, 0, 1], [3])],
          [nd([0, 0, 0, 0], [2, 2]), nd([0, 0, 0, 0], [2, 2])],
          [],
        ),
      ShapeError,
      /condition/,
    );
  });
});

describe('shape ops in one graph', () => {
  it('run forward and backward without allocating', () => {
    const i = Variable('i');
    let net: Symbol = take({ a: x, indices: i, axis: 1 });
    net = SwapAxis({ data: slice_axis({ data: net, axis: 0, begin: 1, end: null }), dim1: 0, dim2: 2 });
    net = stack({ data: [Flatten({ data: net }), Flatten({ data: transpose({ data: net }) })], axis: 1 });
    net = pick({ data: net, index: Variable('p'), axis: 1 });
    const exec = Executor.simpleBind(net, {
      shapes: { x: [3, 5, 2], i: [4], p: [2, 8] },
      gradReq: { x: 'write', i: 'null', p: 'null' },
    });
    random.uniform(-1, 1, [3, 5, 2]).copyTo(exec.argDict.x!);
    nd([0, 4, 4, 2], [4]).copyTo(exec.argDict.i!);
    nd([0, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 0, 1, 1, 0], [2, 8]).copyTo(exec.argDict.p!);
    expectNoAllocations(exec);
    expect(values(exec.outputs[0]!).length).toBe(16);
    exec.dispose();
  });
});
