import { describe, expect, it } from 'vitest';

import {
  ContextError,
  cpu,
  type DType,
  DTypeError,
  embedding,
  embeddingBackward,
  fromTypedArray,
  IndexError,
  type IndexMode,
  type NDArray,
  oneHot,
  pick,
  ShapeError,
  take,
  ValueError,
} from '../src/index.js';
import { native } from '../src/native.js';
import {
  expectAllClose,
  expectError,
  makeRng,
  nd,
  randomShape,
  randomValues,
  ravel,
  sizeOf,
  tolerance,
  unravel,
  values,
} from './helpers.js';

const FLOATS: DType[] = ['float32', 'float64'];
const INDEX_DTYPES: DType[] = ['float32', 'float64', 'int32', 'int64', 'uint8', 'int8'];

/** Random indices in [lo, hi): fractional for float dtypes (the kernel must truncate), integral otherwise. */
function randomIndices(rng: () => number, shape: readonly number[], lo: number, hi: number, dtype: DType): NDArray {
  const n = sizeOf(shape);
  const raw = randomValues(rng, n, lo, hi);
  const v = dtype === 'float32' || dtype === 'float64' ? raw : raw.map(Math.floor);
  return nd(dtype === 'uint8' ? v.map((x) => Math.max(0, x)) : v, shape, dtype);
}

/** The reference resolution of one stored index value. */
function resolve(value: number, n: number, mode: IndexMode): number {
  const j = Math.trunc(value);
  if (mode === 'wrap') return ((j % n) + n) % n;
  if (mode === 'clip') return Math.min(Math.max(j, 0), n - 1);
  return j;
}

function refTake(
  data: Float64Array,
  dshape: readonly number[],
  idx: Float64Array,
  ishape: readonly number[],
  axis: number,
  mode: IndexMode,
): { shape: number[]; data: Float64Array } {
  const shape = [...dshape.slice(0, axis), ...ishape, ...dshape.slice(axis + 1)];
  const out = new Float64Array(sizeOf(shape));
  for (let f = 0; f < out.length; f++) {
    const o = unravel(f, shape);
    const j = resolve(idx[ravel(o.slice(axis, axis + ishape.length), ishape)]!, dshape[axis]!, mode);
    out[f] = data[ravel([...o.slice(0, axis), j, ...o.slice(axis + ishape.length)], dshape)]!;
  }
  return { shape, data: out };
}

function refPick(
  data: Float64Array,
  dshape: readonly number[],
  idx: Float64Array,
  axis: number,
  keepdims: boolean,
  mode: IndexMode,
): { shape: number[]; data: Float64Array } {
  const dropped = dshape.filter((_, i) => i !== axis);
  const out = new Float64Array(sizeOf(dropped));
  for (let f = 0; f < out.length; f++) {
    const o = unravel(f, dropped);
    const j = resolve(idx[f]!, dshape[axis]!, mode);
    out[f] = data[ravel([...o.slice(0, axis), j, ...o.slice(axis)], dshape)]!;
  }
  return { shape: keepdims ? dshape.map((d, i) => (i === axis ? 1 : d)) : dropped, data: out };
}

describe('take', () => {
  const rng = makeRng(11);

  it.each(['clip', 'wrap', 'raise'] as IndexMode[])('matches the float64 reference in mode %s', (mode) => {
    for (let trial = 0; trial < 60; trial++) {
      const dtype = (['float32', 'float64', 'int32'] as DType[])[trial % 3]!;
      const ndim = 1 + Math.floor(rng() * 3);
      const dshape = randomShape(rng, ndim, 4);
      const axis = Math.floor(rng() * ndim) - (trial % 2 === 0 ? ndim : 0);
      const a = axis < 0 ? axis + ndim : axis;
      dshape[a] = Math.max(1, dshape[a]!);
      const n = dshape[a]!;
      const ishape = randomShape(rng, Math.floor(rng() * 3), 3);
      const idtype = INDEX_DTYPES[trial % INDEX_DTYPES.length]!;
      const [lo, hi] = mode === 'raise' ? [0, n] : [-2 * n - 1, 2 * n + 1];
      const indices = randomIndices(rng, ishape, lo, hi, idtype);
      const dvals = randomValues(rng, sizeOf(dshape), -10, 10).map((v) => (dtype === 'int32' ? Math.round(v) : v));
      const data = nd(dvals, dshape, dtype);
      const out = take(data, indices, { axis, mode });
      const ref = refTake(values(data), dshape, values(indices), ishape, a, mode);
      expect(out.shape).toEqual(ref.shape);
      expect(out.dtype).toBe(dtype);
      expectAllClose(values(out), ref.data, { rtol: 0, atol: 0 });
    }
  });

  it('defaults to axis 0 and clip, truncating float indices toward zero', () => {
    const data = nd([1, 2, 3, 4, 5, 6], [3, 2], 'float64');
    const out = take(data, nd([2.9, -0.7, 7, -3], [4], 'float32'));
    expect(out.shape).toEqual([4, 2]);
    expect(Array.from(values(out))).toEqual([5, 6, 1, 2, 5, 6, 1, 2]);
    const wrapped = take(data, nd([-0.7, -1.2, 3.5], [3], 'float64'), { mode: 'wrap' });
    expect(Array.from(values(wrapped))).toEqual([1, 2, 5, 6, 1, 2]);
  });

  it('gathers large rows on several threads', () => {
    const dshape = [50, 300];
    const data = nd(randomValues(rng, sizeOf(dshape)), dshape, 'float32');
    const indices = randomIndices(rng, [40, 30], -5, 55, 'int32');
    const out = take(data, indices, { axis: 0 });
    expectAllClose(values(out), refTake(values(data), dshape, values(indices), [40, 30], 0, 'clip').data, { rtol: 0, atol: 0 });
  });

  it('takes nothing from an empty axis when there are no indices', () => {
    const out = take(nd([], [2, 0, 3], 'float32'), nd([], [0, 4], 'int32'), { axis: 1 });
    expect(out.shape).toEqual([2, 0, 4, 3]);
  });

  it('raises typed errors naming the op', () => {
    const data = nd([1, 2, 3, 4, 5, 6], [2, 3]);
    expectError(() => take(data, nd([0, 3], [2], 'int32'), { axis: 1, mode: 'raise' }), IndexError, /take: index 3 .*size 3/);
    expectError(() => take(data, nd([-1], [1], 'int32'), { mode: 'raise' }), IndexError, /take: index -1 .*size 2/);
    expectError(() => take(data, nd([NaN], [1], 'float32'), { mode: 'raise' }), IndexError, /take: index nan/);
    expectError(() => take(data, nd([0], [1]), { axis: 2 }), ShapeError, /take: axis 2/);
    expectError(() => take(data, nd([0], [1]), { axis: -3 }), ShapeError, /take: axis -3/);
    expectError(() => take(data, nd([0], [1]), { axis: 0.5 }), ValueError, /take: axis/);
    expectError(() => take(nd([1], []), nd([0], [1])), ShapeError, /take: data must have/);
    expectError(() => take(nd([], [0, 2]), nd([0], [1])), IndexError, /take: cannot take from axis 0 of size 0/);
    expectError(() => take(data, nd([0], [1]), { mode: 'nearest' as IndexMode }), ValueError, /take: mode/);
    const elsewhere = fromTypedArray(new Int32Array([0]), [1], { ctx: cpu(1) });
    expectError(() => take(data, elsewhere), ContextError, /take: .*cpu\(0\).*cpu\(1\)/);
  });
});

describe('embedding', () => {
  const rng = makeRng(12);

  it.each(FLOATS)('forward gathers clipped rows of the weight (%s)', (dtype) => {
    for (const [vocab, dim, ishape] of [
      [7, 5, [3, 4]],
      [1, 3, [6]],
      [4, 0, [2, 2]],
      [5, 2, [0, 3]],
    ] as [number, number, number[]][]) {
      const weight = nd(randomValues(rng, vocab * dim), [vocab, dim], dtype);
      const indices = randomIndices(rng, ishape, -2, vocab + 2, 'float32');
      const out = embedding(indices, weight);
      expect(out.shape).toEqual([...ishape, dim]);
      expectAllClose(values(out), refTake(values(weight), [vocab, dim], values(indices), ishape, 0, 'clip').data, {
        rtol: 0,
        atol: 0,
      });
    }
  });

  /** Serial scatter-add in float64, with MXNet's clipping of indices. */
  function refBackward(idx: Float64Array, grad: Float64Array, vocab: number, dim: number): Float64Array {
    const out = new Float64Array(vocab * dim);
    for (let r = 0; r < idx.length; r++) {
      const j = resolve(idx[r]!, vocab, 'clip');
      for (let c = 0; c < dim; c++) out[j * dim + c] = out[j * dim + c]! + grad[r * dim + c]!;
    }
    return out;
  }

  it.each(FLOATS)('backward accumulates duplicate indices (%s)', (dtype) => {
    for (const [vocab, dim, ishape] of [
      [5, 3, [4, 6]],
      [3, 17, [10]],
      [6, 0, [2]],
      [4, 2, [0, 5]],
      [1, 4, [3, 2]],
    ] as [number, number, number[]][]) {
      const indices = randomIndices(rng, ishape, -1, vocab + 1, 'int32');
      const grad = nd(randomValues(rng, sizeOf(ishape) * dim), [...ishape, dim], dtype);
      const out = embeddingBackward(indices, grad, vocab);
      expect(out.shape).toEqual([vocab, dim]);
      expect(out.dtype).toBe(dtype);
      expectAllClose(values(out), refBackward(values(indices), values(grad), vocab, dim), tolerance(dtype));
    }
  });

  it.each(FLOATS)('backward of a (32*60)-index x 200 batch is right and deterministic on several threads (%s)', (dtype) => {
    const vocab = 300;
    const dim = 200;
    const indices = randomIndices(rng, [32, 60], 0, vocab, 'float32');
    const grad = nd(randomValues(rng, 32 * 60 * dim), [32, 60, dim], dtype);
    const out = values(embeddingBackward(indices, grad, vocab));
    expectAllClose(out, refBackward(values(indices), values(grad), vocab, dim), tolerance(dtype));
    expect(values(embeddingBackward(indices, grad, vocab))).toEqual(out);
  });

  it('raises typed errors naming the op', () => {
    const w = nd([1, 2, 3, 4], [2, 2]);
    const idx = nd([0, 1], [2], 'int32');
    expectError(() => embedding(idx, nd([1, 2], [2], 'float32')), ShapeError, /embedding: weight must be 2-D/);
    expectError(() => embedding(idx, nd([1, 2, 3, 4], [2, 2], 'int32')), DTypeError, /embedding: weight/);
    expectError(() => embedding(idx, fromTypedArray(new Float32Array(4), [2, 2], { ctx: cpu(2) })), ContextError, /embedding/);
    expectError(() => embeddingBackward(idx, nd([1, 2, 3], [3, 1]), 4), ShapeError, /embeddingBackward: gradOut shape \(3, 1\)/);
    expectError(() => embeddingBackward(idx, nd([1, 2], [2]), 4), ShapeError, /embeddingBackward: gradOut/);
    expectError(() => embeddingBackward(idx, w, 0), ValueError, /embeddingBackward: inputDim must be positive/);
    expectError(() => embeddingBackward(idx, nd([1, 2, 3, 4], [2, 2], 'int32'), 3), DTypeError, /embeddingBackward: gradOut/);
    expectError(() => embeddingBackward(idx, w, 2.5), ValueError, /embeddingBackward: inputDim/);
  });
});

describe('oneHot', () => {
  const rng = makeRng(13);

  it.each(['float32', 'float64', 'int32', 'float16'] as DType[])(
    'matches the reference with out-of-range rows off (%s)',
    (dtype) => {
      for (let trial = 0; trial < 12; trial++) {
        const ishape = randomShape(rng, Math.floor(rng() * 3), 4);
        const depth = Math.floor(rng() * 5);
        const idtype = INDEX_DTYPES[trial % INDEX_DTYPES.length]!;
        const indices = randomIndices(rng, ishape, -2, depth + 2, idtype);
        const [on, off] = trial % 2 ? [1, 0] : [3, -2];
        const out = trial % 2 ? oneHot(indices, depth, { dtype }) : oneHot(indices, depth, { onValue: on, offValue: off, dtype });
        expect(out.shape).toEqual([...ishape, depth]);
        expect(out.dtype).toBe(dtype);
        const idx = values(indices);
        const ref = new Float64Array(idx.length * depth).fill(off);
        idx.forEach((v, i) => {
          const j = Math.trunc(v);
          if (j >= 0 && j < depth) ref[i * depth + j] = on;
        });
        expectAllClose(values(out), ref, { rtol: 0, atol: 0 });
      }
    },
  );

  it('defaults to float32 with values 1 and 0', () => {
    const out = oneHot(nd([1, 0, 2.5, -1], [4], 'float64'), 3);
    expect(out.dtype).toBe('float32');
    expect(Array.from(values(out))).toEqual([0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0]);
  });

  it('raises typed errors naming the op', () => {
    const idx = nd([0, 1], [2], 'int32');
    expectError(() => oneHot(idx, -1), ValueError, /oneHot: depth must be non-negative/);
    expectError(() => oneHot(idx, 1.5), ValueError, /oneHot: depth/);
    expectError(() => oneHot(idx, 3, { dtype: 'complex64' as DType }), DTypeError, /oneHot: unknown dtype/);
  });
});

describe('pick', () => {
  const rng = makeRng(14);

  it.each(['clip', 'wrap'] as const)('matches the float64 reference in mode %s', (mode) => {
    for (let trial = 0; trial < 60; trial++) {
      const dtype = (['float32', 'float64', 'int32'] as DType[])[trial % 3]!;
      const ndim = 1 + Math.floor(rng() * 4);
      const dshape = randomShape(rng, ndim, 4);
      const axis = Math.floor(rng() * ndim) - (trial % 2 === 0 ? ndim : 0);
      const a = axis < 0 ? axis + ndim : axis;
      dshape[a] = Math.max(1, dshape[a]!);
      const keepdims = trial % 4 < 2;
      const withAxis = trial % 3 === 0;
      const ishape = withAxis ? dshape.map((d, i) => (i === a ? 1 : d)) : dshape.filter((_, i) => i !== a);
      const idtype = INDEX_DTYPES[trial % INDEX_DTYPES.length]!;
      const index = randomIndices(rng, ishape, -2 * dshape[a]! - 1, 2 * dshape[a]! + 1, idtype);
      const dvals = randomValues(rng, sizeOf(dshape), -10, 10).map((v) => (dtype === 'int32' ? Math.round(v) : v));
      const data = nd(dvals, dshape, dtype);
      const out = pick(data, index, { axis, keepdims, mode });
      const ref = refPick(values(data), dshape, values(index), a, keepdims, mode);
      expect(out.shape).toEqual(ref.shape);
      expectAllClose(values(out), ref.data, { rtol: 0, atol: 0 });
    }
  });

  it('defaults to the last axis, clip and no kept dims', () => {
    const data = nd([1, 2, 3, 4, 5, 6], [3, 2], 'float64');
    const out = pick(data, nd([0, 1, 5], [3], 'float32'));
    expect(out.shape).toEqual([3]);
    expect(Array.from(values(out))).toEqual([1, 4, 6]);
    expect(pick(data, nd([1, 0], [2], 'int32'), { axis: 0, keepdims: true }).shape).toEqual([1, 2]);
  });

  it('picks on several threads', () => {
    const dshape = [300, 7, 40];
    const data = nd(randomValues(rng, sizeOf(dshape)), dshape, 'float32');
    const index = randomIndices(rng, [300, 40], 0, 7, 'int64');
    expectAllClose(values(pick(data, index, { axis: 1 })), refPick(values(data), dshape, values(index), 1, false, 'clip').data, {
      rtol: 0,
      atol: 0,
    });
  });

  it('raises typed errors naming the op', () => {
    const data = nd([1, 2, 3, 4, 5, 6], [2, 3]);
    expectError(() => pick(data, nd([0, 1, 2], [3])), ShapeError, /pick: index shape \(3,\) must be \(2,\) or \(2, 1\)/);
    expectError(() => pick(data, nd([0, 1], [2]), { axis: 2 }), ShapeError, /pick: axis 2/);
    expectError(() => pick(data, nd([0, 1], [2]), { mode: 'raise' as 'clip' }), ValueError, /pick: mode/);
    expectError(() => pick(nd([5], []), nd([0], [])), ShapeError, /pick: data must have/);
    expectError(() => pick(nd([], [2, 0]), nd([0, 0], [2])), IndexError, /pick: cannot pick from axis 1 of size 0/);
    expectError(() => pick(data, fromTypedArray(new Float32Array(2), [2], { ctx: cpu(1) })), ContextError, /pick/);
  });
});

describe('pick into out', () => {
  const rng = makeRng(15);

  it('writes the float64 reference into out and returns it, reusing one buffer', () => {
    for (let trial = 0; trial < 30; trial++) {
      const dtype = (['float32', 'float64', 'int32'] as DType[])[trial % 3]!;
      const ndim = 1 + Math.floor(rng() * 3);
      const dshape = randomShape(rng, ndim, 4);
      const a = Math.floor(rng() * ndim);
      dshape[a] = Math.max(1, dshape[a]!);
      const keepdims = trial % 2 === 0;
      const ishape = dshape.filter((_, i) => i !== a);
      const oshape = keepdims ? dshape.map((d, i) => (i === a ? 1 : d)) : ishape;
      const out = nd(new Array<number>(sizeOf(oshape)).fill(-99), oshape, dtype);
      for (let round = 0; round < 2; round++) {
        const index = randomIndices(rng, ishape, 0, dshape[a]!, 'int32');
        const data = nd(randomValues(rng, sizeOf(dshape), -10, 10).map(Math.round), dshape, dtype);
        expect(pick(data, index, { axis: a, keepdims, out })).toBe(out);
        expectAllClose(values(out), refPick(values(data), dshape, values(index), a, keepdims, 'clip').data, { rtol: 0, atol: 0 });
      }
    }
  });

  it('rejects a wrong out with typed errors naming the op', () => {
    const data = nd([1, 2, 3, 4, 5, 6], [2, 3]);
    const index = nd([0, 2], [2]);
    expectError(
      () => pick(data, index, { out: nd([0, 0, 0], [3]) }),
      ShapeError,
      /pick: out has shape \(3,\) but the result is \(2,\)/,
    );
    expectError(
      () => pick(data, index, { keepdims: true, out: nd([0, 0], [2]) }),
      ShapeError,
      /pick: out has shape \(2,\) but the result is \(2, 1\)/,
    );
    expectError(() => pick(data, index, { out: nd([0, 0], [2], 'float64') }), DTypeError, /pick: the output is float64/);
    expectError(
      () => pick(data, index, { out: fromTypedArray(new Float32Array(2), [2], { ctx: cpu(1) }) }),
      ContextError,
      /pick/,
    );
    expectError(() => pick(data, index, { out: data.reshape([6]).slice(0, 2) }), ValueError, /pick: out overlaps data/);
    expectError(() => pick(data, index, { out: index }), ValueError, /pick: out overlaps index/);
    expectError(() => pick(data, index, { out: [0, 0] as unknown as NDArray }), ValueError, /pick: out must be a dense NDArray/);
    expectError(() => pick(data, nd([0, 1, 2], [3]), { out: nd([0, 0, 0], [3]) }), ShapeError, /pick: index shape/);
  });
});

describe('native validation without the TS layer', () => {
  const raw = native as unknown as Record<string, (...args: unknown[]) => unknown>;

  it('rejects bad codes and arguments with typed errors', () => {
    const data = nd([1, 2, 3, 4], [2, 2]);
    const idx = nd([0], [1], 'int32');
    expectError(() => raw.take!(data.handle, idx.handle, 0, 7), ValueError, /take: mode/);
    expectError(() => raw.take!(data.handle, idx.handle, 0, 2 ** 32 + 1), ValueError, /take: mode/);
    expectError(() => raw.pick!(data.handle, idx.handle, -1, false, 2), ValueError, /pick: mode/);
    expectError(() => raw.take!(data.handle, 'x', 0, 0), ValueError, /take: indices must be an NDArray/);
    expectError(() => raw.oneHot!(idx.handle, 2, 1, 0, 2 ** 32), DTypeError, /oneHot: unknown dtype/);
    expectError(() => raw.concat!('x', 1), ValueError, /concat: arrays must be an array/);
    expectError(() => raw.split!(data.handle, 2, Number.NaN, false), ValueError, /split: axis must be an integer/);
    expectError(() => raw.transpose!(data.handle, 'ab'), ValueError, /transpose: axes must be/);
  });
});
