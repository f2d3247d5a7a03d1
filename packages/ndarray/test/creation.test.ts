import { describe, expect, it } from 'vitest';

import {
  arange,
  array,
  ContextError,
  cpu,
  DTypeError,
  empty,
  fromTypedArray,
  full,
  IndexError,
  type NDArray,
  ones,
  random,
  seed,
  ShapeError,
  ValueError,
  zeros,
} from '../src/index.js';

describe('creation', () => {
  it('zeros, ones, full and empty have the asked shape, dtype and context', () => {
    const z = zeros([2, 3], { dtype: 'float64', ctx: cpu(1) });
    expect(z.shape).toEqual([2, 3]);
    expect(z.dtype).toBe('float64');
    expect(z.context.toString()).toBe('cpu(1)');
    expect(z.toArray()).toEqual([0, 0, 0, 0, 0, 0]);
    expect(ones([3], { dtype: 'int32' }).toArray()).toEqual([1, 1, 1]);
    expect(full([2], -2.5).toArray()).toEqual([-2.5, -2.5]);
    expect(full([2], 3, { dtype: 'int64' }).toTypedArray()).toEqual(new BigInt64Array([3n, 3n]));
    expect(empty([0, 4]).size).toBe(0);
    expect(zeros([]).shape).toEqual([]);
    expect(zeros([]).size).toBe(1);
  });

  it('array accepts nested lists and typed arrays', () => {
    const a = array([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(a.shape).toEqual([3, 2]);
    expect(a.dtype).toBe('float32');
    expect(array([1.5, 2.5], { dtype: 'float64' }).toTypedArray()).toEqual(new Float64Array([1.5, 2.5]));
    expect(array(new Int32Array([1, 2, 3, 4]), { shape: [2, 2] }).dtype).toBe('float32');
    expect(() => array([[1, 2], [3]])).toThrow(ShapeError);
  });

  it('fromTypedArray keeps the typed array dtype unless told otherwise', () => {
    expect(fromTypedArray(new Int32Array([1, 2]), [2]).dtype).toBe('int32');
    expect(fromTypedArray(new Float64Array([1, 2, 3]), [3], { dtype: 'int8' }).toArray()).toEqual([1, 2, 3]);
    expect(() => fromTypedArray(new Float32Array(3), [2, 2])).toThrow(ShapeError);
    expect(() => fromTypedArray(new Float32Array(3), [3], { dtype: 'complex' as never })).toThrow(DTypeError);
  });

  it('arange follows MXNet/NumPy', () => {
    expect(arange(5).toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(arange(1, 2, 0.25).toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(arange(5, 1, -2).toArray()).toEqual([5, 3]);
    expect(arange(3, 1).size).toBe(0);
    expect(arange(3, undefined, 1, { dtype: 'int64' }).dtype).toBe('int64');
    expect(() => arange(0, 1, 0)).toThrow(ValueError);
  });

  it('rejects invalid shapes', () => {
    expect(() => zeros([-1])).toThrow(ShapeError);
    expect(() => zeros([1.5])).toThrow(ShapeError);
  });
});

describe('dtype conversion and contexts', () => {
  it('astype converts between every pair of dtypes', () => {
    const dtypes = ['float32', 'float64', 'float16', 'uint8', 'int32', 'int8', 'int64'] as const;
    const src = [0, 1, 2, 3, 100, 7];
    for (const from of dtypes) {
      for (const to of dtypes) {
        const a = array(src, { dtype: from });
        expect(a.astype(to).toArray(), `${from} -> ${to}`).toEqual(src);
      }
    }
  });

  it('float16 stores with round-to-nearest-even and keeps inf and nan', () => {
    const vals = [0, -0, 1, -2, 0.1, 65504, 1e5, -1e5, 6e-8, 1e-9, Number.NaN, 2049, 2051];
    const h = array(vals, { dtype: 'float16' }).toArray();
    // 0.1 -> 0.0999755859375; 1e5 overflows to inf; 6e-8 is the smallest subnormal; 2049 ties to 2048, 2051 to 2052
    expect(h).toEqual([0, -0, 1, -2, 0.0999755859375, 65504, Infinity, -Infinity, 2 ** -24, 0, Number.NaN, 2048, 2052]);
  });

  it('float to int conversion truncates toward zero as a C cast does', () => {
    expect(array([1.7, -1.7, 2.5], { dtype: 'float64' }).astype('int32').toArray()).toEqual([1, -1, 2]);
  });

  it('copyTo moves between cpu contexts and into existing arrays', () => {
    const a = array([1, 2, 3]);
    const b = a.copyTo(cpu(2));
    expect(b.context.equals(cpu(2))).toBe(true);
    expect(b.toArray()).toEqual([1, 2, 3]);
    const dst = zeros([3], { dtype: 'float64' });
    a.copyTo(dst);
    expect(dst.toArray()).toEqual([1, 2, 3]);
    expect(() => a.copyTo(zeros([4]))).toThrow(ShapeError);
    expect(() => cpu(-1)).toThrow(ContextError);
  });
});

describe('copyRowsTo', () => {
  it('copies rows [begin, begin + target rows) of any shape into the target, converting the dtype, across contexts', () => {
    const src = arange(0, 24).reshape([6, 2, 2]);
    const dst = zeros([3, 2, 2], { dtype: 'float64', ctx: cpu(1) });
    for (const begin of [0, 2, 3]) {
      expect(src.copyRowsTo(dst, begin)).toBe(dst);
      // the reference: rows begin..begin+2 read element by element from the source's values
      expect(dst.toArray()).toEqual(Array.from({ length: 12 }, (_, k) => begin * 4 + k));
    }
    const none = zeros([0, 2, 2]);
    expect(src.copyRowsTo(none, 6)).toBe(none);
  });

  it('rejects bad rows, shapes, overlaps and targets with typed errors', () => {
    const src = arange(0, 12).reshape([6, 2]);
    expect(() => src.copyRowsTo(zeros([2, 2]), 5)).toThrow(IndexError);
    expect(() => src.copyRowsTo(zeros([2, 2]), 5)).toThrow(
      /copyRowsTo: rows \[5, 5 \+ 2\) are out of bounds for a source of shape \(6, 2\)/,
    );
    expect(() => src.copyRowsTo(zeros([2, 2]), -1)).toThrow(IndexError);
    expect(() => src.copyRowsTo(zeros([2, 3]), 0)).toThrow(
      /copyRowsTo: target \(2, 3\) does not hold rows of a source of shape \(6, 2\)/,
    );
    expect(() => src.copyRowsTo(zeros([2]), 0)).toThrow(ShapeError);
    expect(() => src.copyRowsTo(zeros([]), 0)).toThrow(/copyRowsTo: .* must have at least one dimension/);
    expect(() => src.copyRowsTo(src.slice(3, 5), 2)).toThrow(/copyRowsTo: the target overlaps the source rows/);
    expect(() => src.copyRowsTo(zeros([2, 2]), 0.5)).toThrow(ValueError);
    expect(() => src.copyRowsTo([1] as unknown as NDArray, 0)).toThrow(/copyRowsTo: target must be a dense NDArray/);
  });
});

describe('random', () => {
  it('the same seed gives the same numbers', () => {
    seed(42);
    const a = random.uniform(0, 1, [100]).toArray();
    const n = random.normal(0, 1, [101]).toArray();
    seed(42);
    expect(random.uniform(0, 1, [100]).toArray()).toEqual(a);
    expect(random.normal(0, 1, [101]).toArray()).toEqual(n);
    seed(43);
    expect(random.uniform(0, 1, [100]).toArray()).not.toEqual(a);
  });

  it('has the asked distribution', () => {
    seed(7);
    const u = random.uniform(-2, 3, [20000], { dtype: 'float64' }).toArray();
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...u)).toBeLessThan(3);
    expect(u.reduce((p, x) => p + x, 0) / u.length).toBeCloseTo(0.5, 1);
    const g = random.normal(1, 2, [20000]).toArray();
    const mean = g.reduce((p, x) => p + x, 0) / g.length;
    const sd = Math.sqrt(g.reduce((p, x) => p + (x - mean) ** 2, 0) / g.length);
    expect(mean).toBeCloseTo(1, 1);
    expect(sd).toBeCloseTo(2, 1);
    const r = random.randint(-3, 4, [5000]);
    expect(r.dtype).toBe('int32');
    const ints = r.toArray();
    expect(new Set(ints)).toEqual(new Set([-3, -2, -1, 0, 1, 2, 3]));
  });

  it('rejects bad parameters with typed errors', () => {
    expect(() => random.uniform(1, 0, [2])).toThrow(ValueError);
    expect(() => random.normal(0, -1, [2])).toThrow(ValueError);
    expect(() => random.randint(3, 3, [2])).toThrow(ValueError);
    expect(() => random.randint(0, 3, [2], { dtype: 'float32' })).toThrow(DTypeError);
    expect(() => random.uniform(0, 1, [2], { dtype: 'int32' })).toThrow(DTypeError);
  });
});
