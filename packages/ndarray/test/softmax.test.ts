import { describe, expect, it } from 'vitest';

import { type DType, DTypeError, logSoftmax, type NDArray, ShapeError, softmax, StateError, ValueError } from '../src/index.js';
import {
  expectAllClose,
  expectBFloat16Close,
  makeRng,
  nd,
  randomShape,
  randomValues,
  sizeOf,
  stridesOf,
  tolerance,
  values,
} from './helpers.js';

const DTYPES: readonly DType[] = ['float32', 'float64'];

/** Softmax or log-softmax of every row along `axis`, straight from the definition in float64. */
function refSoftmax(x: ArrayLike<number>, shape: readonly number[], axis: number, t: number, log: boolean): Float64Array {
  const k = axis < 0 ? axis + shape.length : axis;
  const n = shape[k]!;
  const stride = stridesOf(shape)[k]!;
  const out = new Float64Array(x.length);
  for (let start = 0; start < x.length; start++) {
    // A row starts wherever the index along `axis` is 0.
    if (Math.floor(start / stride) % n !== 0) continue;
    const row = Array.from({ length: n }, (_, i) => x[start + i * stride]!);
    const m = Math.max(...row);
    const sum = row.reduce((s, v) => s + Math.exp((v - m) / t), 0);
    row.forEach((v, i) => {
      out[start + i * stride] = log ? (v - m) / t - Math.log(sum) : Math.exp((v - m) / t) / sum;
    });
  }
  return out;
}

function run(a: NDArray, axis: number | undefined, temperature: number | undefined, log: boolean): NDArray {
  const opts = { axis, temperature };
  return log ? logSoftmax(a, opts) : softmax(a, opts);
}

function check(a: NDArray, axis: number | undefined, temperature: number | undefined, log: boolean): void {
  const expected = refSoftmax(values(a), a.shape, axis ?? -1, temperature ?? 1, log);
  const out = run(a, axis, temperature, log);
  try {
    expect(out.shape).toEqual(a.shape);
    expect(out.dtype).toBe(a.dtype);
    expectAllClose(values(out), expected, tolerance(a.dtype));
  } finally {
    out.dispose();
  }
}

describe('softmax and log_softmax', () => {
  it('match a float64 reference along every axis, with temperatures, in both dtypes', () => {
    const rng = makeRng(21);
    for (let trial = 0; trial < 24; trial++) {
      const ndim = 1 + (trial % 4);
      const shape = randomShape(rng, ndim, 5, trial % 3 === 0 ? 0 : 1);
      const data = randomValues(rng, sizeOf(shape), -4, 4);
      const axes = [undefined, ...Array.from({ length: ndim }, (_, i) => (i % 2 ? i - ndim : i))];
      for (const dtype of DTYPES) {
        const a = nd(data, shape, dtype);
        for (const axis of axes) {
          for (const temperature of [undefined, 0.5, 3]) {
            check(a, axis, temperature, false);
            check(a, axis, temperature, true);
          }
        }
        a.dispose();
      }
    }
  });

  it('match the reference on arrays large enough to thread and to split columns into blocks', () => {
    const rng = makeRng(22);
    const cases: [number[], number][] = [
      [[300, 257], 0],
      [[4, 3000], -1],
      [[16, 100, 40], 1],
    ];
    for (const [shape, axis] of cases) {
      const data = randomValues(rng, sizeOf(shape), -5, 5);
      for (const dtype of DTYPES) {
        const a = nd(data, shape, dtype);
        check(a, axis, 1, false);
        check(a, axis, 2, true);
        a.dispose();
      }
    }
  });

  it('gives rows that sum to one, along the last and a middle axis', () => {
    const rng = makeRng(23);
    const shape = [3, 7, 5];
    const a = nd(randomValues(rng, sizeOf(shape), -10, 10), shape, 'float32');
    for (const axis of [-1, 1]) {
      const out = softmax(a, { axis });
      const p = values(out);
      out.dispose();
      const stride = stridesOf(shape)[axis < 0 ? 2 : 1]!;
      const n = shape.at(axis)!;
      for (let start = 0; start < p.length; start++) {
        if (Math.floor(start / stride) % n !== 0) continue;
        let s = 0;
        for (let i = 0; i < n; i++) s += p[start + i * stride]!;
        expect(s).toBeCloseTo(1, 6);
      }
    }
    a.dispose();
  });

  it('does not overflow or underflow on inputs near +-1000', () => {
    for (const dtype of DTYPES) {
      const a = nd([1000, 1001, 1002, -1000, -1001, -1002], [2, 3], dtype);
      const p = softmax(a);
      const lp = logSoftmax(a, { axis: 1 });
      const pCol = softmax(a, { axis: 0 });
      const third = [Math.exp(-2), Math.exp(-1), 1].map((e) => e / (Math.exp(-2) + Math.exp(-1) + 1));
      expectAllClose(values(p), [...third, ...third.slice().reverse()], tolerance(dtype));
      expectAllClose(values(lp), [...third, ...third.slice().reverse()].map(Math.log), tolerance(dtype));
      expect(values(pCol).every(Number.isFinite)).toBe(true);
      expectAllClose(values(pCol), [1, 1, 1, 0, 0, 0], tolerance(dtype));
      for (const t of [a, p, lp, pCol]) t.dispose();
    }
  });

  it('keeps float32 relative accuracy for probabilities down to e^-80', () => {
    const rng = makeRng(24);
    const a = nd(randomValues(rng, 4 * 1000, -80, 0), [4, 1000], 'float32');
    const expected = refSoftmax(values(a), a.shape, -1, 1, false);
    const p = softmax(a);
    // float32 rounds x - max to about |x - max| * 6e-8, so 80 * 6e-8 relative is the floor here.
    expectAllClose(values(p), expected, { rtol: 1e-5, atol: 0 });
    for (const t of [a, p]) t.dispose();
  });

  it('keeps float32 accuracy on wide rows whose terms span many magnitudes or are all equal', () => {
    const rng = makeRng(25);
    // 50,003 columns: many folds of the kernel's float lanes into its double total, plus a ragged tail.
    const n = 50_003;
    const spread = randomValues(rng, n, -60, 20);
    const equal = new Array<number>(n).fill(3.25);
    const mostlyTiny = randomValues(rng, n, -90, -40).map((v, i) => (i % 997 === 0 ? 0 : v));
    const a = nd([...spread, ...equal, ...mostlyTiny], [3, n], 'float32');
    const p = softmax(a);
    const lp = logSoftmax(a);
    expectAllClose(values(p), refSoftmax(values(a), a.shape, -1, 1, false), { rtol: 2e-5, atol: 1e-30 });
    expectAllClose(values(lp), refSoftmax(values(a), a.shape, -1, 1, true), { rtol: 1e-6, atol: 2e-5 });
    const probs = values(p);
    for (let r = 0; r < 3; r++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += probs[r * n + i]!;
      expect(Math.abs(s - 1)).toBeLessThan(1e-4);
    }
    for (const t of [a, p, lp]) t.dispose();
  });

  it('treats -inf, NaN, +inf and huge spreads per row as the definition does, for lengths around the vector widths', () => {
    for (const n of [1, 2, 15, 16, 17, 31, 33, 47, 511, 512, 513, 1041]) {
      const rng = makeRng(26 + n);
      const finite = (): number[] => Array.from(randomValues(rng, n, -5, 5));
      const rows = [
        finite(),
        finite().map((v, i) => (i % 3 === 1 ? -Infinity : v)), // some -inf: probability 0, log -inf
        finite().map((v, i) => (i === n - 1 ? NaN : v)), // a NaN anywhere makes the row NaN
        finite().map((v, i) => (i === 0 ? NaN : v)),
        finite().map((v, i) => (i === n >> 1 ? Infinity : v)), // +inf - +inf is NaN
        new Array<number>(n).fill(-Infinity), // every term -inf - -inf: NaN
        finite().map((v, i) => (i === n >> 2 ? 1e30 : i % 2 ? -1e30 : v)),
      ];
      for (const dtype of DTYPES) {
        const a = nd(rows.flat(), [rows.length, n], dtype);
        for (const log of [false, true]) {
          const out = log ? logSoftmax(a) : softmax(a);
          expectAllClose(values(out), refSoftmax(values(a), a.shape, -1, 1, log), tolerance(dtype));
          out.dispose();
        }
        a.dispose();
      }
    }
  });

  it('passes empty arrays through', () => {
    const a = nd([], [2, 0, 3], 'float32');
    for (const axis of [0, 1, 2]) {
      const p = softmax(a, { axis });
      expect(p.shape).toEqual([2, 0, 3]);
      p.dispose();
    }
    a.dispose();
  });
});

// bfloat16 data computes in float32 and rounds once on store: each result is the float64 reference of
// the same bfloat16 inputs rounded to bfloat16, or one bfloat16 step from it.
describe('bfloat16 softmax and log_softmax', () => {
  function checkBFloat16(data: ArrayLike<number>, shape: number[], axis: number, temperature: number): void {
    const a = nd(data, shape, 'bfloat16');
    for (const log of [false, true]) {
      const out = run(a, axis, temperature, log);
      expect(out.dtype).toBe('bfloat16');
      expect(out.shape).toEqual(shape);
      expectBFloat16Close(values(out), refSoftmax(values(a), shape, axis, temperature, log));
      out.dispose();
    }
    a.dispose();
  }

  it('match the rounded float64 reference along every axis, with temperatures', () => {
    const rng = makeRng(91);
    for (let trial = 0; trial < 12; trial++) {
      const ndim = 1 + (trial % 4);
      const shape = randomShape(rng, ndim, 5, 1);
      const data = randomValues(rng, sizeOf(shape), -6, 6);
      for (let axis = -ndim; axis < ndim; axis++) {
        for (const temperature of [1, 0.5, 3]) checkBFloat16(data, shape, axis, temperature);
      }
    }
  });

  it('match it on arrays large enough to thread, to split columns into blocks, and on wide rows', () => {
    const rng = makeRng(92);
    for (const [shape, axis] of [
      [[300, 257], 0],
      [[4, 3000], -1],
      [[16, 100, 40], 1],
      [[3, 20, 600], 1],
      [[2, 50_003], 1],
    ] as [number[], number][]) {
      checkBFloat16(randomValues(rng, sizeOf(shape), -20, 20), shape, axis, 1.5);
    }
  });

  it('treat -inf, NaN, +inf and huge spreads per row as the definition does', () => {
    const rng = makeRng(93);
    const n = 37;
    const finite = (): number[] => Array.from(randomValues(rng, n, -5, 5));
    const rows = [
      finite().map((v, i) => (i % 3 === 1 ? -Infinity : v)),
      finite().map((v, i) => (i === n - 1 ? NaN : v)),
      finite().map((v, i) => (i === n >> 1 ? Infinity : v)),
      finite().map((v, i) => (i === n >> 2 ? 1e30 : i % 2 ? -1e30 : v)),
      [1000, 1001, 1002, ...finite().slice(3)],
    ];
    checkBFloat16(rows.flat(), [rows.length, n], -1, 1);
  });

  it('gives rows that sum to one within bfloat16 rounding, and passes empty arrays through', () => {
    const a = nd(randomValues(makeRng(94), 4 * 300, -3, 3), [4, 300], 'bfloat16');
    const p = values(softmax(a));
    for (let r = 0; r < 4; r++) {
      const s = p.slice(r * 300, (r + 1) * 300).reduce((x, y) => x + y, 0);
      expect(Math.abs(s - 1)).toBeLessThan(2 ** -8);
    }
    expect(softmax(nd([], [2, 0, 3], 'bfloat16'), { axis: 1 }).shape).toEqual([2, 0, 3]);
  });
});

describe('softmax errors', () => {
  it('raises ShapeError naming the op for an axis out of range, and for a 0-d input', () => {
    const a = nd([1, 2, 3, 4], [2, 2]);
    expect(() => softmax(a, { axis: 2 })).toThrow(ShapeError);
    expect(() => softmax(a, { axis: 2 })).toThrow(/^softmax: axis 2/);
    expect(() => logSoftmax(a, { axis: -3 })).toThrow(/^log_softmax: /);
    const s = nd([1], []);
    expect(() => softmax(s)).toThrow(ShapeError);
    for (const t of [a, s]) t.dispose();
  });

  it('raises DTypeError naming the op for integer and float16 data', () => {
    const i = nd([1, 2], [2], 'int32');
    expect(() => softmax(i)).toThrow(DTypeError);
    expect(() => logSoftmax(i)).toThrow(/^log_softmax: data must be float32, float64 or bfloat16, got int32/);
    const h = nd([1, 2], [2], 'float16');
    expect(() => softmax(h)).toThrow(/^softmax: data must be float32, float64 or bfloat16, got float16/);
    for (const t of [i, h]) t.dispose();
  });

  it('raises ValueError for a temperature that is not positive and finite', () => {
    const a = nd([1, 2], [2]);
    for (const temperature of [0, -1, NaN, Infinity]) {
      expect(() => softmax(a, { temperature })).toThrow(ValueError);
      expect(() => logSoftmax(a, { temperature })).toThrow(/^log_softmax: temperature/);
    }
    a.dispose();
  });

  it('raises StateError naming the op for a disposed input', () => {
    const a = nd([1, 2], [2]);
    a.dispose();
    expect(() => softmax(a)).toThrow(StateError);
    expect(() => logSoftmax(a)).toThrow(/^log_softmax: /);
  });
});
