import { describe, expect, it } from 'vitest';

import { DTYPE_CODES, type DType, type NDArray, ShapeError, transpose, ValueError } from '../src/index.js';
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

const ALL_DTYPES = Object.keys(DTYPE_CODES) as DType[];

function randomPermutation(rng: () => number, n: number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

/** Output element idx reads input element in where in[perm[i]] = idx[i]. */
function refTranspose(
  data: Float64Array,
  shape: readonly number[],
  perm: readonly number[],
): { shape: number[]; data: Float64Array } {
  const outShape = perm.map((p) => shape[p]!);
  const out = new Float64Array(data.length);
  for (let f = 0; f < out.length; f++) {
    const idx = unravel(f, outShape);
    const src = new Array<number>(shape.length);
    perm.forEach((p, i) => (src[p] = idx[i]!));
    out[f] = data[ravel(src, shape)]!;
  }
  return { shape: outShape, data: out };
}

function check(a: NDArray, perm: readonly number[], axes?: readonly number[]): void {
  const out = transpose(a, axes ?? perm);
  const ref = refTranspose(values(a), a.shape, perm);
  expect(out.shape).toEqual(ref.shape);
  expect(out.dtype).toBe(a.dtype);
  expectAllClose(values(out), ref.data, { rtol: 0, atol: 0 });
}

describe('transpose', () => {
  const rng = makeRng(31);

  it.each(['float32', 'float64', 'int32'] as DType[])('matches the reference on random shapes and permutations (%s)', (dtype) => {
    for (let trial = 0; trial < 60; trial++) {
      const ndim = Math.floor(rng() * 6);
      const shape = randomShape(rng, ndim, 4);
      const perm = randomPermutation(rng, ndim);
      const axes = perm.map((p) => (rng() < 0.3 ? p - ndim : p));
      check(nd(randomValues(rng, sizeOf(shape), -9, 9).map(Math.round), shape, dtype), perm, axes);
    }
  });

  it('reverses the axes by default, as NDArray.transpose() and .T do', () => {
    const a = nd(randomValues(rng, 24), [2, 3, 4], 'float64');
    const reversed = refTranspose(values(a), [2, 3, 4], [2, 1, 0]);
    for (const out of [transpose(a), transpose(a, []), a.transpose(), a.T]) {
      expect(out.shape).toEqual([4, 3, 2]);
      expect(values(out)).toEqual(reversed.data);
    }
    expect(values(a.transpose([0, 2, 1]))).toEqual(refTranspose(values(a), [2, 3, 4], [0, 2, 1]).data);
  });

  it('handles large and awkward 2-D and batched cases on several threads', () => {
    for (const [shape, perm] of [
      [
        [67, 45],
        [1, 0],
      ],
      [
        [300, 257],
        [1, 0],
      ],
      [
        [1, 5000],
        [1, 0],
      ],
      [
        [4000, 3],
        [1, 0],
      ],
      [
        [3, 70, 90],
        [0, 2, 1],
      ],
      [
        [70, 3, 90],
        [1, 0, 2],
      ],
      [
        [5, 1, 7, 1, 9],
        [4, 3, 1, 0, 2],
      ],
      [
        [6, 33, 2, 35],
        [3, 1, 0, 2],
      ],
      [
        [2, 3, 4, 5, 6],
        [0, 1, 4, 2, 3],
      ],
    ] as [number[], number[]][]) {
      for (const dtype of ['float32', 'float64'] as DType[]) check(nd(randomValues(rng, sizeOf(shape)), shape, dtype), perm);
    }
  });

  it('copies every dtype', () => {
    for (const dtype of ALL_DTYPES) {
      const v = randomValues(rng, 35, 0, 2).map(Math.floor);
      check(nd(v, [5, 7], dtype), [1, 0]);
      check(nd(v, [5, 1, 7], dtype), [2, 0, 1]);
    }
  });

  it('returns a new array even for the identity permutation', () => {
    const a = nd([1, 2, 3, 4], [2, 2]);
    const out = transpose(a, [0, 1]);
    a.fill(0);
    expect(Array.from(values(out))).toEqual([1, 2, 3, 4]);
  });

  it('raises typed errors naming the op', () => {
    const a = nd(randomValues(rng, 6), [2, 3]);
    expectError(() => transpose(a, [0]), ShapeError, /transpose: axes \(0\) are not a permutation .*\(2, 3\): expected 2 axes/);
    expectError(() => transpose(a, [1, 1]), ShapeError, /transpose: .*axis 1 appears twice/);
    expectError(() => transpose(a, [0, -1, 1]), ShapeError, /transpose: .*expected 2 axes/);
    expectError(() => transpose(a, [0, 2]), ShapeError, /transpose: .*axis 2 is out of range/);
    expectError(() => transpose(a, [-3, 0]), ShapeError, /transpose: .*axis -3 is out of range/);
    expectError(() => transpose(a, [0.5, 1]), ValueError, /transpose: axes must be an array of integers/);
  });
});
