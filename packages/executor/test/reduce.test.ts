// The reductions through the executor: sum, mean, max, min, norm, argmax and argmin forward against a
// float64 reference, their gradients against finite differences, and their errors.
import { BindError, type DType, random, seed, ShapeError, ValueError } from '@bkt/ndarray';
import { argmax, argmin, max, mean, min, norm, sum, Variable } from '@bkt/symbol';
import { describe, expect, it } from 'vitest';

import {
  expectAllClose,
  expectError,
  makeRng,
  nd,
  randomValues,
  ravel,
  sizeOf,
  tolerance,
  unravel,
} from '../../ndarray/test/helpers.js';
import { checkNumericGradient, Executor } from '../src/index.js';
import { expectNoAllocations, forwardValues, runKernel } from './plan-harness.js';

type Op = 'sum' | 'mean' | 'max' | 'min';
type Axis = number | number[] | null;
const CREATORS = { sum, mean, max, min } as const;
const DTYPES: readonly DType[] = ['float32', 'float64'];
const x = Variable('x');

/** The axes MXNet folds: all for None or (), else the listed ones or, with exclude, the others. */
function reducedOf(ndim: number, axis: Axis, exclude: boolean): boolean[] {
  const list = axis === null ? [] : typeof axis === 'number' ? [axis] : axis;
  if (list.length === 0) return new Array<boolean>(ndim).fill(true);
  const listed = new Array<boolean>(ndim).fill(false);
  for (const a of list) listed[a < 0 ? a + ndim : a] = true;
  return listed.map((l) => l !== exclude);
}

/** Groups the elements of x by the output position they reduce into (kept axes in order). */
function groups(data: Float64Array, shape: number[], reduced: boolean[]): number[][] {
  const kept = shape.filter((_, i) => !reduced[i]);
  const out = Array.from({ length: sizeOf(kept) }, () => [] as number[]);
  for (let f = 0; f < data.length; f++) {
    const idx = unravel(f, shape).filter((_, i) => !reduced[i]);
    out[ravel(idx, kept)]!.push(data[f]!);
  }
  return out;
}

function reduceRef(op: Op | 'norm1' | 'norm2', data: Float64Array, shape: number[], reduced: boolean[]): Float64Array {
  return Float64Array.from(
    groups(data, shape, reduced).map((g) => {
      switch (op) {
        case 'sum':
          return g.reduce((a, v) => a + v, 0);
        case 'mean':
          return g.reduce((a, v) => a + v, 0) / g.length;
        case 'max':
          return Math.max(...g);
        case 'min':
          return Math.min(...g);
        case 'norm1':
          return g.reduce((a, v) => a + Math.abs(v), 0);
        case 'norm2':
          return Math.sqrt(g.reduce((a, v) => a + v * v, 0));
      }
    }),
  );
}

/** First index of the extremum along `axis` (of the flattened array when null). */
function argRef(data: Float64Array, shape: number[], axis: number | null, findMin: boolean): Float64Array {
  const reduced = axis === null ? shape.map(() => true) : shape.map((_, i) => i === (axis < 0 ? axis + shape.length : axis));
  return Float64Array.from(
    groups(data, shape, reduced).map((g) => {
      let best = 0;
      g.forEach((v, i) => {
        if (findMin ? v < g[best]! : v > g[best]!) best = i;
      });
      return best;
    }),
  );
}

const CASES: { shape: number[]; axis: Axis; exclude: boolean; keepdims: boolean }[] = [
  { shape: [2, 3, 4], axis: null, exclude: false, keepdims: false },
  { shape: [2, 3, 4], axis: 1, exclude: false, keepdims: true },
  { shape: [2, 3, 4], axis: [0, 2], exclude: false, keepdims: false },
  { shape: [2, 3, 4], axis: -1, exclude: true, keepdims: false },
  { shape: [3, 1, 5, 2], axis: [1, 3], exclude: false, keepdims: true },
  { shape: [3, 1, 5, 2], axis: [0, 2], exclude: true, keepdims: false },
  { shape: [7], axis: 0, exclude: false, keepdims: false },
  { shape: [4, 70], axis: 0, exclude: false, keepdims: false },
];

describe('sum, mean, max, min', () => {
  it.each(DTYPES)('match a float64 reference over axes, exclude and keepdims (%s)', (dtype) => {
    const rng = makeRng(11);
    for (const c of CASES) {
      const data = randomValues(rng, sizeOf(c.shape), -2, 2);
      const reduced = reducedOf(c.shape.length, c.axis, c.exclude);
      for (const op of ['sum', 'mean', 'max', 'min'] as const) {
        const net = CREATORS[op]({ data: x, axis: c.axis, exclude: c.exclude, keepdims: c.keepdims });
        const want = reduceRef(op, Float64Array.from(nd(data, c.shape, dtype).toArray()), c.shape, reduced);
        const [got] = forwardValues(net, { x: nd(data, c.shape, dtype) });
        expectAllClose(got!, want, tolerance(dtype));
      }
    }
  });

  it('sum and mean over an empty axis give 0 and NaN; max refuses it at run time', () => {
    // The symbol layer reads a 0 dimension as unknown, so empty arrays reach the kernels only directly.
    const data = nd([], [2, 0, 3], 'float64');
    const out = nd(new Array(6).fill(7), [2, 3], 'float64');
    runKernel('sum', [data], [out], [0, 1, 1]);
    expect(Array.from(out.toArray())).toEqual([0, 0, 0, 0, 0, 0]);
    runKernel('mean', [data], [out], [0, 1, 1]);
    expect(Array.from(out.toArray()).every(Number.isNaN)).toBe(true);
    expectError(() => runKernel('max', [data], [out], [0, 1, 1]), ShapeError, /max: cannot reduce over axis 1/);
  });

  it.each(CASES.slice(0, 6))('pass checkNumericGradient (axis %o)', (c) => {
    seed(12);
    for (const op of ['sum', 'mean', 'max', 'min'] as const) {
      const net = CREATORS[op]({ data: x, axis: c.axis, exclude: c.exclude, keepdims: c.keepdims });
      // Distinct values, so the extremum of every group is unique and the gradient is defined.
      checkNumericGradient(net, { x: random.uniform(-1, 1, c.shape, { dtype: 'float64' }) }, { rtol: 1e-5, atol: 1e-8 });
    }
  });

  it('max and min send the gradient to every element equal to the extremum (MXNet ReduceGrad)', () => {
    const data = nd([1, 3, 3, 0, -2, -2], [2, 3], 'float64');
    for (const [op, want] of [
      ['max', [0, 1, 1, 1, 0, 0]],
      ['min', [1, 0, 0, 0, 1, 1]],
    ] as const) {
      const exec = Executor.bind(CREATORS[op]({ data: x, axis: 1 }), { args: { x: data } });
      exec.forward({ isTrain: true });
      exec.backward([nd([1, 1], [2], 'float64')]);
      expect(Array.from(exec.gradDict.x!.toArray())).toEqual(want);
      exec.dispose();
    }
  });

  it('allocate nothing per step once bound', () => {
    const net = sum({ data: max({ data: x, axis: 2, keepdims: true }), axis: [0, 2] });
    const exec = Executor.simpleBind(mean({ data: net }), { shapes: { x: [4, 5, 6] } });
    random.uniform(-1, 1, [4, 5, 6]).copyTo(exec.argDict.x!);
    expectNoAllocations(exec);
    exec.dispose();
  });
});

describe('norm', () => {
  it.each(DTYPES)('matches the L1 and L2 references (%s)', (dtype) => {
    const rng = makeRng(13);
    for (const c of CASES) {
      if (c.exclude) continue;
      const data = randomValues(rng, sizeOf(c.shape), -2, 2);
      const reduced = reducedOf(c.shape.length, c.axis, false);
      for (const ord of [1, 2]) {
        const net = norm({ data: x, ord, axis: c.axis, keepdims: c.keepdims });
        const [got] = forwardValues(net, { x: nd(data, c.shape, dtype) });
        const want = reduceRef(
          ord === 1 ? 'norm1' : 'norm2',
          Float64Array.from(nd(data, c.shape, dtype).toArray()),
          c.shape,
          reduced,
        );
        expectAllClose(got!, want, tolerance(dtype));
      }
    }
  });

  it('passes checkNumericGradient for ord 1 and 2', () => {
    seed(14);
    for (const ord of [1, 2]) {
      for (const axis of [null, 1, [0, 2]] as Axis[]) {
        const net = norm({ data: x, ord, axis });
        checkNumericGradient(net, { x: random.uniform(-1, 1, [2, 3, 2], { dtype: 'float64' }) }, { rtol: 1e-5, atol: 1e-8 });
      }
    }
  });

  it('gives a zero gradient where the L2 norm is zero', () => {
    const exec = Executor.bind(norm({ data: x, axis: 1 }), { args: { x: nd([0, 0, 3, 4], [2, 2], 'float64') } });
    exec.forward({ isTrain: true });
    exec.backward([nd([1, 1], [2], 'float64')]);
    expectAllClose(Array.from(exec.gradDict.x!.toArray()), [0, 0, 0.6, 0.8]);
    exec.dispose();
  });

  it('rejects ord 3 in the symbol layer and an out_dtype it would have to convert to in the kernel', () => {
    expectError(() => Executor.simpleBind(norm({ data: x, ord: 3 }), { shapes: { x: [2] } }), ShapeError, /ord=3/);
    const exec = Executor.simpleBind(norm({ data: x, outDtype: 'float64' }), { shapes: { x: [2] }, gradReq: 'null' });
    expect(() => exec.forward()).toThrow(/norm: the output is float64 but the data is float32/);
    exec.dispose();
  });
});

describe('argmax, argmin', () => {
  it.each(DTYPES)('match the first extremum along an axis or overall (%s)', (dtype) => {
    const rng = makeRng(15);
    for (const [shape, axis, keepdims] of [
      [[3, 4], 1, false],
      [[3, 4], 0, true],
      [[2, 3, 5], -2, false],
      [[2, 3, 5], null, false],
      [[6], null, true],
    ] as [number[], number | null, boolean][]) {
      // Rounded values so ties occur: both must keep the first index.
      const data = randomValues(rng, sizeOf(shape), -3, 3).map(Math.round);
      for (const [creator, findMin] of [
        [argmax, false],
        [argmin, true],
      ] as const) {
        const [got] = forwardValues(creator({ data: x, axis, keepdims }), { x: nd(data, shape, dtype) });
        expect(Array.from(got!)).toEqual(Array.from(argRef(data, shape, axis, findMin)));
      }
    }
  });

  it('have a zero gradient (checkNumericGradient)', () => {
    seed(16);
    for (const creator of [argmax, argmin]) {
      const net = creator({ data: x, axis: 1 });
      checkNumericGradient(net, { x: random.uniform(-1, 1, [3, 4], { dtype: 'float64' }) });
    }
  });
});

describe('reduction errors', () => {
  it('raise the symbol layer errors for bad axes at bind time', () => {
    expectError(() => Executor.simpleBind(sum({ data: x, axis: 3 }), { shapes: { x: [2, 3] } }), ShapeError, /axis 3/);
    expectError(() => Executor.simpleBind(mean({ data: x, axis: [1, -1] }), { shapes: { x: [2, 3] } }), ShapeError, /duplicates/);
    expectError(() => Executor.simpleBind(argmax({ data: x, axis: -3 }), { shapes: { x: [2, 3] } }), ShapeError, /axis -3/);
    expectError(() => sum({ data: x, axis: 'a' as unknown as number }), ValueError, /axis/);
  });

  it('raise in the kernel for malformed plans rather than read out of bounds', () => {
    const data = nd([1, 2, 3, 4, 5, 6], [2, 3]);
    const out = nd([0, 0], [2]);
    expectError(() => runKernel('sum', [data], [nd([0, 0, 0], [3])], [0, 1, 1]), ShapeError, /sum: output/);
    expectError(() => runKernel('sum', [data], [out], [0, 2, 1]), BindError, /sum: attribute list of length 2/);
    expectError(() => runKernel('sum', [data], [out], [0, 1, 5]), ShapeError, /sum: axis 5/);
    expectError(
      () => runKernel('max_backward', [out, data], [nd(new Array(6).fill(0), [2, 3])], [0, 1, 1]),
      BindError,
      /the kernel takes 3 inputs/,
    );
    expectError(
      () => runKernel('mean_backward', [nd([1, 2, 3], [3])], [nd(new Array(6).fill(0), [2, 3])], [0, 1, 1]),
      ShapeError,
      /out_grad/,
    );
    expectError(() => runKernel('argmax', [data], [out], [1, 0]), ShapeError, /argmax: output/);
    runKernel('argmin', [data], [out], [1, 1]);
    expect(Array.from(out.toArray())).toEqual([0, 0]);
  });
});
