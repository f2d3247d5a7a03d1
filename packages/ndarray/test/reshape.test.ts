import { describe, expect, it } from 'vitest';

import { arange, resolveReshape, ShapeError } from '../src/index.js';

// The examples of MXNet's Reshape documentation, input shape -> target -> result.
const cases: [number[], number[], number[], boolean?][] = [
  [
    [2, 3, 4],
    [4, 0, 2],
    [4, 3, 2],
  ],
  [
    [2, 3, 4],
    [2, 0, 0],
    [2, 3, 4],
  ],
  [
    [2, 3, 4],
    [6, 1, -1],
    [6, 1, 4],
  ],
  [
    [2, 3, 4],
    [3, -1, 8],
    [3, 1, 8],
  ],
  [[2, 3, 4], [-1], [24]],
  [[2, 3, 4], [-2], [2, 3, 4]],
  [
    [2, 3, 4],
    [2, -2],
    [2, 3, 4],
  ],
  [
    [2, 3, 4],
    [-2, 1, 1],
    [2, 3, 4, 1, 1],
  ],
  [
    [2, 3, 4],
    [-3, 4],
    [6, 4],
  ],
  [
    [2, 3, 4, 5],
    [-3, -3],
    [6, 20],
  ],
  [
    [2, 3, 4],
    [0, -3],
    [2, 12],
  ],
  [
    [2, 3, 4],
    [-3, -2],
    [6, 4],
  ],
  [
    [2, 3, 4],
    [-4, 1, 2, -2],
    [1, 2, 3, 4],
  ],
  [
    [2, 3, 4],
    [2, -4, -1, 3, -2],
    [2, 1, 3, 4],
  ],
  [
    [10, 5, 4],
    [-1, 0],
    [40, 5],
  ],
  [[10, 5, 4], [-1, 0], [50, 4], true],
  [
    [2, 0, 3],
    [0, -1],
    [2, 0],
  ],
];

describe('resolveReshape (MXNet special values)', () => {
  it.each(cases)('%j reshaped to %j gives %j (reverse %s)', (input, target, want, reverse) => {
    expect(resolveReshape(input, target, reverse ?? false)).toEqual(want);
  });

  it.each([
    [
      [2, 3],
      [4, 2],
    ],
    [
      [2, 3],
      [-1, -1],
    ],
    [
      [2, 3],
      [0, 0, 0],
    ],
    [
      [2, 3],
      [-3, -3],
    ],
    [
      [2, 3],
      [-4, 4, -1],
    ],
    [
      [2, 3],
      [-4, 2],
    ],
    [[2, 3], [-5]],
    [
      [2, 0],
      [-1, 0],
    ],
  ])('rejects %j -> %j with ShapeError', (input, target) => {
    expect(() => resolveReshape(input, target)).toThrow(ShapeError);
  });
});

describe('NDArray views', () => {
  it('reshape is a view that shares storage', () => {
    const a = arange(6);
    const b = a.reshape([2, -1]);
    expect(b.shape).toEqual([2, 3]);
    b.fill(7);
    expect(a.toArray()).toEqual([7, 7, 7, 7, 7, 7]);
    a.dispose();
    // the view keeps the storage alive on its own
    expect(b.toArray()).toEqual([7, 7, 7, 7, 7, 7]);
    b.dispose();
  });

  it('slice and at select rows along axis 0 without copying', () => {
    const a = arange(12).reshape([4, 3]);
    const s = a.slice(1, 3);
    expect(s.shape).toEqual([2, 3]);
    expect(s.toArray()).toEqual([3, 4, 5, 6, 7, 8]);
    expect(a.slice(-1).toArray()).toEqual([9, 10, 11]);
    const r = a.at(-2);
    expect(r.shape).toEqual([3]);
    r.fill(0);
    expect(a.toArray()).toEqual([0, 1, 2, 3, 4, 5, 0, 0, 0, 9, 10, 11]);
    expect(a.slice(2, 2).shape).toEqual([0, 3]);
  });

  it('raises typed errors for bad slices', async () => {
    const { IndexError } = await import('../src/index.js');
    const a = arange(6).reshape([3, 2]);
    expect(() => a.slice(2, 5)).toThrow(IndexError);
    expect(() => a.slice(2, 1)).toThrow(/slice/);
    expect(() => a.at(3)).toThrow(IndexError);
    expect(() => arange(1).reshape([]).at(0)).toThrow(IndexError);
  });
});
