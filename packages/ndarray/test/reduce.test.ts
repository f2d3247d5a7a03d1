import { afterAll, describe, expect, it } from 'vitest';

import {
  argmax,
  array,
  DTypeError,
  full,
  type DType,
  getNumThreads,
  max,
  mean,
  memoryStats,
  min,
  type NDArray,
  norm,
  ShapeError,
  setNumThreads,
  StateError,
  sum,
  ValueError,
  zeros,
} from '../src/index.js';
import {
  expectAllClose,
  makeRng,
  nd,
  randomShape,
  randomValues,
  ravel,
  sizeOf,
  stridesOf,
  tolerance,
  unravel,
  values,
} from './helpers.js';

type RefOp = 'sum' | 'mean' | 'max' | 'min' | 'norm1' | 'norm2';
const REF_OPS: readonly RefOp[] = ['sum', 'mean', 'max', 'min', 'norm1', 'norm2'];
const DTYPES: readonly DType[] = ['float32', 'float64'];

interface AxisSpec {
  axis?: number | number[];
  exclude: boolean;
  keepdims: boolean;
}

/** Which axes the reference folds under MXNet's rules, or null when the axes are invalid. */
function refReduced(ndim: number, axis: number | number[] | undefined, exclude: boolean): boolean[] | null {
  const list = axis === undefined ? [] : typeof axis === 'number' ? [axis] : axis;
  if (list.length === 0) return new Array<boolean>(ndim).fill(true);
  const listed = new Array<boolean>(ndim).fill(false);
  for (const a of list) {
    const k = a < 0 ? a + ndim : a;
    if (k < 0 || k >= ndim || listed[k]) return null;
    listed[k] = true;
  }
  return listed.map((l) => l !== exclude);
}

/** `empty`: there are outputs but nothing to fold into them, which only max and min refuse. */
type RefResult = { shape: number[]; byOp: Record<RefOp, Float64Array>; empty: boolean } | 'ShapeError';

/** Every reduction at once, folding each element straight into its output slot. */
function refReduce(x: ArrayLike<number>, shape: readonly number[], spec: AxisSpec): RefResult {
  const reduced = refReduced(shape.length, spec.axis, spec.exclude);
  if (reduced === null) return 'ShapeError';
  const keptShape = shape.filter((_, i) => !reduced[i]);
  const keptStrides = stridesOf(keptShape);
  const outStride: number[] = [];
  for (let i = 0, k = 0; i < shape.length; i++) outStride.push(reduced[i] ? 0 : keptStrides[k++]!);
  const n = sizeOf(keptShape);
  const [total, abs, sq, hi, lo, count] = Array.from({ length: 6 }, () => new Float64Array(n));
  hi!.fill(-Infinity);
  lo!.fill(Infinity);
  for (let f = 0; f < x.length; f++) {
    let rem = f;
    let o = 0;
    for (let i = shape.length - 1; i >= 0; i--) {
      const c = rem % shape[i]!;
      rem = (rem - c) / shape[i]!;
      o += c * outStride[i]!;
    }
    const v = x[f]!;
    total![o]! += v;
    abs![o]! += Math.abs(v);
    sq![o]! += v * v;
    hi![o] = Math.max(hi![o]!, v);
    lo![o] = Math.min(lo![o]!, v);
    count![o]! += 1;
  }
  let outShape = spec.keepdims ? shape.map((d, i) => (reduced[i] ? 1 : d)) : keptShape;
  if (!spec.keepdims && outShape.length === 0) outShape = [1];
  return {
    shape: outShape,
    empty: n > 0 && count![0] === 0,
    byOp: {
      sum: total!,
      mean: total!.map((t, i) => t / count![i]!),
      max: hi!,
      min: lo!,
      norm1: abs!,
      norm2: sq!.map(Math.sqrt),
    },
  };
}

function runOp(a: NDArray, op: RefOp, spec: AxisSpec): NDArray {
  const opts = { axis: spec.axis, keepdims: spec.keepdims, exclude: spec.exclude };
  switch (op) {
    case 'sum':
      return sum(a, opts);
    case 'mean':
      return mean(a, opts);
    case 'max':
      return max(a, opts);
    case 'min':
      return min(a, opts);
    case 'norm1':
      return norm(a, { ...opts, ord: 1 });
    case 'norm2':
      return norm(a, { ...opts, ord: 2 });
  }
}

function checkAgainstRef(a: NDArray, ops: readonly RefOp[], spec: AxisSpec): void {
  const expected = refReduce(values(a), a.shape, spec);
  for (const op of ops) {
    const label = `${op} of ${JSON.stringify(a.shape)} ${a.dtype} with ${JSON.stringify(spec)}`;
    if (expected === 'ShapeError' || (expected.empty && (op === 'max' || op === 'min'))) {
      expect(() => runOp(a, op, spec), label).toThrow(ShapeError);
      continue;
    }
    const out = runOp(a, op, spec);
    try {
      expect(out.shape, label).toEqual(expected.shape);
      expect(out.dtype, label).toBe(a.dtype);
      expectAllClose(values(out), expected.byOp[op], tolerance(a.dtype));
    } finally {
      out.dispose();
    }
  }
}

/** A few axis lists for a rank: none, empty, one axis both ways round, a mixed-sign pair, all reversed. */
function axisLists(rng: () => number, ndim: number): (number | number[] | undefined)[] {
  const lists: (number | number[] | undefined)[] = [undefined, []];
  if (ndim === 0) return lists;
  const a = Math.floor(rng() * ndim);
  lists.push(a, [a - ndim]);
  if (ndim >= 2) {
    const b = (a + 1 + Math.floor(rng() * (ndim - 1))) % ndim;
    lists.push([b - ndim, a]);
  }
  lists.push(Array.from({ length: ndim }, (_, i) => ndim - 1 - i));
  return lists;
}

describe('sum, mean, max, min, norm', () => {
  it('match MXNet documentation examples', () => {
    const data = array([
      [
        [1, 2],
        [2, 3],
        [1, 3],
      ],
      [
        [1, 4],
        [4, 3],
        [5, 2],
      ],
      [
        [7, 1],
        [7, 2],
        [7, 3],
      ],
    ]);
    const s1 = sum(data, { axis: 1 });
    expect(s1.toArray()).toEqual([4, 8, 10, 9, 21, 6]);
    const s12 = sum(data, { axis: [1, 2] });
    expect(s12.shape).toEqual([3]);
    expect(s12.toArray()).toEqual([12, 19, 27]);
    const all = sum(data);
    expect(all.shape).toEqual([1]);
    expect(all.asScalar()).toBe(58);
    const x = array([
      [
        [1, 2],
        [3, 4],
      ],
      [
        [2, 2],
        [5, 6],
      ],
    ]);
    const n2 = norm(x, { axis: 1 });
    expectAllClose(values(n2), [3.1622777, 4.472136, 5.3851647, 6.3245554], { rtol: 1e-6, atol: 0 });
    const n1 = norm(x, { ord: 1, axis: 1 });
    expect(n1.toArray()).toEqual([4, 6, 7, 8]);
    for (const t of [data, s1, s12, all, x, n2, n1]) t.dispose();
  });

  it('follow MXNet shape rules for keepdims, exclude and full reductions', () => {
    const a = zeros([2, 3, 4]);
    const cases: [Parameters<typeof sum>[1], number[]][] = [
      [{}, [1]],
      [{ keepdims: true }, [1, 1, 1]],
      [{ axis: [] }, [1]],
      [{ axis: [0, 2], exclude: true }, [2, 4]],
      [{ axis: [0, 2], exclude: true, keepdims: true }, [2, 1, 4]],
      [{ axis: [2, 0, 1] }, [1]],
      [{ axis: [0, 1, 2], exclude: true }, [2, 3, 4]],
      [{ axis: -1, keepdims: true }, [2, 3, 1]],
    ];
    for (const [opts, shape] of cases) {
      const r = sum(a, opts);
      expect(r.shape, JSON.stringify(opts)).toEqual(shape);
      r.dispose();
    }
    a.dispose();
  });

  it('match a float64 reference on random shapes, axes, keepdims and exclude', () => {
    const rng = makeRng(11);
    for (let trial = 0; trial < 36; trial++) {
      const ndim = trial % 5;
      const shape = randomShape(rng, ndim, 4, trial % 3 === 0 ? 0 : 1);
      const data = randomValues(rng, sizeOf(shape), -2, 2);
      const lists = axisLists(rng, ndim);
      for (const dtype of DTYPES) {
        const a = nd(data, shape, dtype);
        for (const axis of lists) {
          for (const keepdims of [false, true]) {
            for (const exclude of [false, true]) {
              checkAgainstRef(a, REF_OPS, { axis, keepdims, exclude });
            }
          }
        }
        a.dispose();
      }
    }
  });

  it('handle empty reductions like NumPy: sum 0, mean NaN, norm 0, max/min ShapeError', () => {
    const a = zeros([2, 0, 3], { dtype: 'float64' });
    const s = sum(a, { axis: 1 });
    expect(s.shape).toEqual([2, 3]);
    expect(s.toArray()).toEqual([0, 0, 0, 0, 0, 0]);
    const m = mean(a, { axis: [1], keepdims: true });
    expect(m.shape).toEqual([2, 1, 3]);
    expect(m.toArray().every(Number.isNaN)).toBe(true);
    const n = norm(a);
    expect(n.toArray()).toEqual([0]);
    expect(() => max(a, { axis: 1 })).toThrow(/max: .*axis 1.*\(2, 0, 3\)/);
    expect(() => min(a)).toThrow(ShapeError);
    // Nothing is reduced over the empty axis here, so there is no missing identity.
    const e = max(a, { axis: 2 });
    expect(e.shape).toEqual([2, 0]);
    for (const t of [a, s, m, n, e]) t.dispose();
  });

  it('propagate NaN through max and min', () => {
    const a = nd([1, NaN, 3, 4, 5, 6, 7, 8, 9, 10, 11, NaN], [2, 6], 'float32');
    const mx = max(a, { axis: 1 });
    const mn = min(a, { axis: 0 });
    expect(values(mx).every(Number.isNaN)).toBe(true);
    expect(Array.from(values(mn)).map(Number.isNaN)).toEqual([false, true, false, false, false, true]);
    for (const t of [a, mx, mn]) t.dispose();
  });

  it('match the reference on large arrays that take the threaded and split paths', () => {
    const rng = makeRng(5);
    const cases: [number[], number | number[] | undefined][] = [
      [[3, 70001], 1],
      [[70001, 3], 0],
      [
        [5, 1300, 7],
        [0, 2],
      ],
      [[20, 300, 30], 1],
      [[2, 300, 600], 1],
      [[140001], undefined],
      // Few outputs with several runs each, split into parts that start mid-run.
      [
        [49, 2, 301, 5],
        [0, 2],
      ],
      [
        [33, 2, 3001],
        [0, 2],
      ],
    ];
    for (const [shape, axis] of cases) {
      const data = randomValues(rng, sizeOf(shape), -1, 1);
      for (const dtype of DTYPES) {
        const a = nd(data, shape, dtype);
        checkAgainstRef(a, ['sum', 'max', 'norm2'], { axis, keepdims: false, exclude: false });
        a.dispose();
      }
    }
  });

  it('give the same bits whatever the thread count', () => {
    const rng = makeRng(9);
    const a = nd(randomValues(rng, 400000), [4, 100000], 'float32');
    const threads = getNumThreads();
    const results: number[][] = [];
    for (const n of [1, 2]) {
      setNumThreads(n);
      const r = sum(a, { axis: [1] });
      results.push(r.toArray());
      r.dispose();
    }
    setNumThreads(threads);
    expect(results[0]).toEqual(results[1]);
    a.dispose();
  });

  it('accumulates float32 sums in double', () => {
    const n = 1_000_000;
    const a = full([n], 0.1, { dtype: 'float32' });
    const s = sum(a);
    expectAllClose(values(s), [n * Math.fround(0.1)], { rtol: 1e-7, atol: 0 });
    for (const t of [a, s]) t.dispose();
  });
});

function refArgmax(x: ArrayLike<number>, shape: readonly number[], axis: number | undefined, keepdims: boolean) {
  if (axis === undefined) {
    let best = 0;
    for (let i = 1; i < x.length; i++) {
      if (Number.isNaN(x[best]!)) break;
      if (x[i]! > x[best]! || Number.isNaN(x[i]!)) best = i;
    }
    return { shape: keepdims ? shape.map(() => 1) : [1], data: [best] };
  }
  const k = axis < 0 ? axis + shape.length : axis;
  const outShape = shape.map((d, i) => (i === k ? 1 : d));
  const data: number[] = [];
  for (let o = 0; o < sizeOf(outShape); o++) {
    const idx = unravel(o, outShape);
    let best = 0;
    let bestVal = NaN;
    for (let i = 0; i < shape[k]!; i++) {
      idx[k] = i;
      const v = x[ravel(idx, shape)]!;
      if (i === 0 || (!Number.isNaN(bestVal) && (v > bestVal || Number.isNaN(v)))) {
        best = i;
        bestVal = v;
      }
    }
    data.push(best);
  }
  const dropped = shape.filter((_, i) => i !== k);
  return { shape: keepdims ? outShape : dropped.length === 0 ? [1] : dropped, data };
}

describe('argmax', () => {
  it('matches the MXNet documentation example', () => {
    const x = array([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    const a0 = argmax(x, { axis: 0 });
    const a1 = argmax(x, { axis: 1, keepdims: true });
    expect(a0.toArray()).toEqual([1, 1, 1]);
    expect(a1.shape).toEqual([2, 1]);
    expect(a1.toArray()).toEqual([2, 2]);
    for (const t of [x, a0, a1]) t.dispose();
  });

  it('returns the first index of ties along every axis, flattened, in the input dtype', () => {
    const rng = makeRng(3);
    for (let trial = 0; trial < 24; trial++) {
      const ndim = 1 + (trial % 4);
      const shape = randomShape(rng, ndim, 5, 1);
      if (trial === 7) shape[0] = 700;
      if (trial === 9) shape[1] = 1100;
      const data = Array.from({ length: sizeOf(shape) }, () => Math.floor(rng() * 3));
      const axes = [undefined, ...Array.from({ length: ndim }, (_, i) => (i % 2 ? i - ndim : i))];
      for (const dtype of DTYPES) {
        const a = nd(data, shape, dtype);
        for (const axis of axes) {
          for (const keepdims of [false, true]) {
            const expected = refArgmax(data, shape, axis, keepdims);
            const r = argmax(a, { axis, keepdims });
            const label = `${JSON.stringify(shape)} axis ${axis} keepdims ${keepdims}`;
            expect(r.shape, label).toEqual(expected.shape);
            expect(r.dtype).toBe(dtype);
            expect(r.toArray(), label).toEqual(expected.data);
            r.dispose();
          }
        }
        a.dispose();
      }
    }
  });

  it('takes the first NaN as the maximum', () => {
    const a = nd([1, NaN, 5, NaN, 2, 9, 3, 4, 8, 7, NaN, 6], [3, 4], 'float64');
    const rows = argmax(a, { axis: 1 });
    const cols = argmax(a, { axis: 0 });
    const flat = argmax(a);
    expect(rows.toArray()).toEqual([1, 1, 2]);
    expect(cols.toArray()).toEqual([2, 0, 2, 0]);
    expect(flat.toArray()).toEqual([1]);
    for (const t of [a, rows, cols, flat]) t.dispose();
  });

  it('raises ShapeError on an empty axis but returns an empty result when nothing is searched', () => {
    const a = zeros([3, 0]);
    expect(() => argmax(a, { axis: 1 })).toThrow(/argmax: .*\(3, 0\)/);
    expect(() => argmax(a)).toThrow(ShapeError);
    const r = argmax(a, { axis: 0 });
    expect(r.shape).toEqual([0]);
    for (const t of [a, r]) t.dispose();
  });
});

describe('reduction errors', () => {
  const a = nd([1, 2, 3, 4, 5, 6], [2, 3]);
  afterAll(() => a.dispose());

  it('raises ShapeError naming the op for axes out of range or repeated', () => {
    expect(() => sum(a, { axis: 2 })).toThrow(ShapeError);
    expect(() => sum(a, { axis: 2 })).toThrow(/^sum: axis 2 .*\(2, 3\)/);
    expect(() => mean(a, { axis: [-3] })).toThrow(/^mean: /);
    expect(() => max(a, { axis: [1, -1] })).toThrow(ShapeError);
    expect(() => max(a, { axis: [1, -1] })).toThrow(/^max: .*twice/);
    expect(() => norm(a, { axis: [0, 0], exclude: true })).toThrow(/^norm: /);
    expect(() => argmax(a, { axis: -3 })).toThrow(ShapeError);
    expect(() => argmax(a, { axis: -3 })).toThrow(/^argmax: /);
  });

  it('raises DTypeError naming the op for integer data', () => {
    const i = nd([1, 2, 3], [3], 'int32');
    expect(() => min(i)).toThrow(DTypeError);
    expect(() => min(i)).toThrow(/^min: .*int32/);
    expect(() => argmax(i)).toThrow(/^argmax: /);
    i.dispose();
  });

  it('raises ValueError for an ord other than 1 or 2 and for a fractional axis', () => {
    expect(() => norm(a, { ord: 3 as 2 })).toThrow(ValueError);
    expect(() => norm(a, { ord: 3 as 2 })).toThrow(/^norm: ord must be 1 or 2, got 3/);
    expect(() => sum(a, { axis: 0.5 })).toThrow(ValueError);
    expect(() => sum(a, { axis: [0.5] })).toThrow(/^sum: /);
  });

  it('frees everything it allocates, on success and on error', () => {
    const empty = zeros([0, 2]);
    const before = memoryStats();
    for (let i = 0; i < 50; i++) {
      sum(a, { axis: 1 }).dispose();
      argmax(a).dispose();
      expect(() => max(empty)).toThrow(ShapeError);
      expect(() => argmax(empty, { axis: 0 })).toThrow(ShapeError);
      expect(() => sum(a, { axis: [0, 0] })).toThrow(ShapeError);
    }
    const after = memoryStats();
    expect(after.liveHandles).toBe(before.liveHandles);
    expect(after.liveStorages).toBe(before.liveStorages);
    empty.dispose();
  });

  it('raises StateError naming the op for a disposed input', () => {
    const d = nd([1, 2], [2]);
    d.dispose();
    expect(() => sum(d)).toThrow(StateError);
    expect(() => norm(d)).toThrow(/^norm: /);
    expect(() => argmax(d)).toThrow(/^argmax: /);
  });
});
