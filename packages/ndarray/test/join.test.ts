import { describe, expect, it } from 'vitest';

import {
  concat,
  ContextError,
  cpu,
  DTYPE_CODES,
  type DType,
  DTypeError,
  fromTypedArray,
  memoryStats,
  type NDArray,
  ShapeError,
  split,
  stack,
  ValueError,
} from '../src/index.js';
import {
  expectAllClose,
  expectError,
  makeRng,
  nd,
  randomShape,
  randomValues,
  ravel,
  sizeOf,
  unravel,
  values,
} from './helpers.js';

const COPY_DTYPES: DType[] = ['float32', 'float64', 'int32'];
const ALL_DTYPES = Object.keys(DTYPE_CODES) as DType[];

function randomArray(rng: () => number, shape: readonly number[], dtype: DType): NDArray {
  const v = randomValues(rng, sizeOf(shape), -50, 50);
  if (dtype === 'bool')
    return nd(
      v.map((x) => (x > 0 ? 1 : 0)),
      shape,
      dtype,
    );
  if (dtype === 'uint8')
    return nd(
      v.map((x) => Math.floor(x + 50)),
      shape,
      dtype,
    );
  return nd(dtype.startsWith('float') ? v : v.map(Math.round), shape, dtype);
}

/** Concatenation along `axis` by walking output positions and finding each one's source array. */
function refConcat(
  parts: { data: Float64Array; shape: readonly number[] }[],
  axis: number,
): { shape: number[]; data: Float64Array } {
  const shape = [...parts[0]!.shape];
  shape[axis] = parts.reduce((s, p) => s + p.shape[axis]!, 0);
  const out = new Float64Array(sizeOf(shape));
  for (let f = 0; f < out.length; f++) {
    const idx = unravel(f, shape);
    let k = 0;
    while (idx[axis]! >= parts[k]!.shape[axis]!) idx[axis]! -= parts[k++]!.shape[axis]!;
    out[f] = parts[k]!.data[ravel(idx, parts[k]!.shape)]!;
  }
  return { shape, data: out };
}

describe('concat', () => {
  const rng = makeRng(21);

  it.each(COPY_DTYPES)('matches the reference on random shapes and dims (%s)', (dtype) => {
    for (let trial = 0; trial < 40; trial++) {
      const ndim = 1 + Math.floor(rng() * 4);
      const base = randomShape(rng, ndim, 4);
      const axis = Math.floor(rng() * ndim);
      const dim = trial % 2 ? axis : axis - ndim;
      const count = 1 + Math.floor(rng() * 4);
      const arrays = Array.from({ length: count }, () =>
        randomArray(
          rng,
          base.map((d, i) => (i === axis ? Math.floor(rng() * 4) : d)),
          dtype,
        ),
      );
      const out = concat(arrays, { dim });
      const ref = refConcat(
        arrays.map((a) => ({ data: values(a), shape: a.shape })),
        axis,
      );
      expect(out.shape).toEqual(ref.shape);
      expect(out.dtype).toBe(dtype);
      expectAllClose(values(out), ref.data, { rtol: 0, atol: 0 });
    }
  });

  it('joins along dim 1 by default, as MXNet', () => {
    const a = nd([1, 2, 3, 4], [2, 2]);
    const b = nd([5, 6], [2, 1]);
    const out = concat([a, b]);
    expect(out.shape).toEqual([2, 3]);
    expect(Array.from(values(out))).toEqual([1, 2, 5, 3, 4, 6]);
  });

  it('copies every dtype byte for byte', () => {
    for (const dtype of ALL_DTYPES) {
      const a = randomArray(rng, [2, 3], dtype);
      const b = randomArray(rng, [2, 2], dtype);
      const ref = refConcat(
        [
          { data: values(a), shape: [2, 3] },
          { data: values(b), shape: [2, 2] },
        ],
        1,
      );
      const out = concat([a, b], { dim: -1 });
      expect(out.dtype).toBe(dtype);
      expectAllClose(values(out), ref.data, { rtol: 0, atol: 0 });
    }
  });

  it('splits large copies across threads, whatever the block sizes', () => {
    for (const [shapes, dim] of [
      [
        [
          [300, 70],
          [300, 1],
          [300, 129],
        ],
        1,
      ],
      [
        [
          [900, 40],
          [1300, 40],
        ],
        0,
      ],
      [
        [
          [3, 40000],
          [3, 0],
          [3, 7],
        ],
        1,
      ],
    ] as [number[][], number][]) {
      const arrays = shapes.map((s) => randomArray(rng, s, 'float32'));
      const ref = refConcat(
        arrays.map((a) => ({ data: values(a), shape: a.shape })),
        dim,
      );
      expectAllClose(values(concat(arrays, { dim })), ref.data, { rtol: 0, atol: 0 });
    }
  });

  it('raises typed errors naming the op', () => {
    const a = nd([1, 2, 3, 4], [2, 2]);
    expectError(() => concat([]), ValueError, /concat: needs at least one array/);
    expectError(() => concat([a, nd([1, 2, 3], [3, 1])]), ShapeError, /concat: arrays\[1\] has shape \(3, 1\)/);
    expectError(() => concat([a, nd([1, 2], [2])]), ShapeError, /concat: arrays\[1\]/);
    expectError(() => concat([a, nd([1, 2, 3, 4], [2, 2], 'float64')]), DTypeError, /concat: arrays\[1\] is float64/);
    expectError(() => concat([a, a], { dim: 2 }), ShapeError, /concat: axis 2/);
    expectError(() => concat([nd([1], []), nd([2], [])]), ShapeError, /concat: cannot concatenate 0-d/);
    expectError(() => concat([a, fromTypedArray(new Float32Array(4), [2, 2], { ctx: cpu(1) })]), ContextError, /concat/);
  });
});

describe('stack', () => {
  const rng = makeRng(22);

  it.each(COPY_DTYPES)('matches the reference on random shapes and axes (%s)', (dtype) => {
    for (let trial = 0; trial < 40; trial++) {
      const ndim = Math.floor(rng() * 4);
      const shape = randomShape(rng, ndim, 4);
      const a = Math.floor(rng() * (ndim + 1));
      const axis = trial % 2 ? a : a - ndim - 1;
      const arrays = Array.from({ length: 1 + Math.floor(rng() * 4) }, () => randomArray(rng, shape, dtype));
      const out = stack(arrays, { axis });
      const expanded = [...shape.slice(0, a), 1, ...shape.slice(a)];
      const ref = refConcat(
        arrays.map((x) => ({ data: values(x), shape: expanded })),
        a,
      );
      expect(out.shape).toEqual(ref.shape);
      expectAllClose(values(out), ref.data, { rtol: 0, atol: 0 });
    }
  });

  it('stacks along a new leading axis by default', () => {
    const out = stack([nd([1, 2], [2]), nd([3, 4], [2])]);
    expect(out.shape).toEqual([2, 2]);
    expect(Array.from(values(out))).toEqual([1, 2, 3, 4]);
  });

  it('raises typed errors naming the op', () => {
    const a = nd([1, 2], [2]);
    expectError(() => stack([]), ValueError, /stack: needs at least one array/);
    expectError(() => stack([a, nd([1, 2, 3], [3])]), ShapeError, /stack: arrays\[1\] has shape \(3,\)/);
    expectError(() => stack([a, nd([1, 2], [2], 'int32')]), DTypeError, /stack: arrays\[1\] is int32/);
    expectError(() => stack([a, a], { axis: 2 }), ShapeError, /stack: axis 2/);
    expectError(() => stack([a, a], { axis: -3 }), ShapeError, /stack: axis -3/);
    expectError(() => stack([a, fromTypedArray(new Float32Array(2), [2], { ctx: cpu(1) })]), ContextError, /stack/);
  });
});

describe('split', () => {
  const rng = makeRng(23);

  it.each(COPY_DTYPES)('matches the reference on random shapes and axes (%s)', (dtype) => {
    for (let trial = 0; trial < 40; trial++) {
      const ndim = 1 + Math.floor(rng() * 4);
      const shape = randomShape(rng, ndim, 3);
      const a = Math.floor(rng() * ndim);
      const axis = trial % 2 ? a : a - ndim;
      const numOutputs = 1 + Math.floor(rng() * 3);
      const squeezeAxis = trial % 3 === 0;
      shape[a] = squeezeAxis ? numOutputs : numOutputs * Math.floor(rng() * 3);
      const data = randomArray(rng, shape, dtype);
      const outs = split(data, numOutputs, { axis, squeezeAxis });
      expect(outs).toHaveLength(numOutputs);
      const piece = shape.map((d, i) => (i === a ? d / numOutputs : d));
      const dv = values(data);
      outs.forEach((out, k) => {
        expect(out.shape).toEqual(squeezeAxis ? piece.filter((_, i) => i !== a) : piece);
        expect(out.dtype).toBe(dtype);
        const ref = new Float64Array(sizeOf(piece));
        for (let f = 0; f < ref.length; f++) {
          const idx = unravel(f, piece);
          idx[a] = idx[a]! + k * piece[a]!;
          ref[f] = dv[ravel(idx, shape)]!;
        }
        expectAllClose(values(out), ref, { rtol: 0, atol: 0 });
      });
    }
  });

  it('splits axis 1 by default and round-trips large arrays through concat', () => {
    const data = randomArray(rng, [20, 6, 500], 'float64');
    const parts = split(data, 3);
    expect(parts.map((p) => p.shape)).toEqual([
      [20, 2, 500],
      [20, 2, 500],
      [20, 2, 500],
    ]);
    expect(values(concat(parts))).toEqual(values(data));
  });

  it('copies every dtype and leaves no handles behind', () => {
    const before = memoryStats();
    for (const dtype of ALL_DTYPES) {
      const data = randomArray(rng, [3, 4], dtype);
      const parts = split(data, 2, { axis: 1 });
      expect(Array.from(values(parts[1]!))).toEqual([2, 3, 6, 7, 10, 11].map((i) => values(data)[i]!));
      for (const p of [data, ...parts]) p.dispose();
    }
    expect(memoryStats().liveHandles).toBe(before.liveHandles);
  });

  it('raises typed errors naming the op', () => {
    const data = nd([1, 2, 3, 4, 5, 6], [2, 3]);
    expectError(() => split(data, 2), ShapeError, /split: axis 1 of shape \(2, 3\) has size 3, which 2 outputs/);
    expectError(() => split(data, 1, { squeezeAxis: true }), ShapeError, /split: squeezeAxis needs axis 1/);
    expectError(() => split(data, 0), ValueError, /split: numOutputs must be at least 1/);
    expectError(() => split(data, 1.5), ValueError, /split: numOutputs/);
    expectError(() => split(data, 1, { axis: 2 }), ShapeError, /split: axis 2/);
    expectError(() => split(nd([1], []), 1), ShapeError, /split: cannot split a 0-d array/);
  });
});
