import { afterEach, describe, expect, it } from 'vitest';

import {
  batchDot,
  ContextError,
  cpu,
  dot,
  DTypeError,
  type DType,
  gemmChoices,
  getGemmBackend,
  getGemmPrecision,
  getNumThreads,
  memoryStats,
  type NDArray,
  setGemmBackend,
  setNumThreads,
  ShapeError,
  ones,
  zeros,
} from '../src/index.js';
import { native } from '../src/native.js';
import { expectAllClose, makeRng, nd, randomShape, randomValues, ravel, sizeOf, tolerance, unravel, values } from './helpers.js';

const DTYPES: DType[] = ['float32', 'float64'];
const FLAGS: [boolean, boolean][] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];

interface Ref {
  data: Float64Array;
  shape: number[];
}

/** MXNet's dot written index by index: out[i..., j...] = sum_k a[i..., k] * b[k, j...] (axes moved by the flags). */
function refDot(a: Float64Array, as: number[], b: Float64Array, bs: number[], ta: boolean, tb: boolean): Ref {
  const aVec = as.length === 1;
  const bVec = bs.length === 1;
  const k = aVec ? as[0]! : ta ? as[0]! : as[as.length - 1]!;
  const aFree = aVec ? [] : ta ? as.slice(1) : as.slice(0, -1);
  const bFree = bVec ? [] : tb ? bs.slice(0, -1) : bs.slice(1);
  const shape = aVec && bVec ? [1] : [...aFree, ...bFree];
  const data = new Float64Array(sizeOf(shape));
  for (let flat = 0; flat < data.length; flat++) {
    const idx = aVec && bVec ? [] : unravel(flat, shape);
    const ai = idx.slice(0, aFree.length);
    const bi = idx.slice(aFree.length);
    let s = 0;
    for (let kk = 0; kk < k; kk++) {
      const aIdx = aVec ? [kk] : ta ? [kk, ...ai] : [...ai, kk];
      const bIdx = bVec ? [kk] : tb ? [...bi, kk] : [kk, ...bi];
      s += a[ravel(aIdx, as)]! * b[ravel(bIdx, bs)]!;
    }
    data[flat] = s;
  }
  return { data, shape };
}

/** batch_dot as plain loops over the batch, rows, columns and the inner axis. */
function refBatchDot(a: Float64Array, as: number[], b: Float64Array, bs: number[], ta: boolean, tb: boolean): Ref {
  const nd = as.length;
  const [ar, ac] = [as[nd - 2]!, as[nd - 1]!];
  const [br, bc] = [bs[nd - 2]!, bs[nd - 1]!];
  const m = ta ? ac : ar;
  const k = ta ? ar : ac;
  const n = tb ? br : bc;
  const batch = sizeOf(as.slice(0, -2));
  const data = new Float64Array(batch * m * n);
  for (let p = 0; p < batch; p++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let kk = 0; kk < k; kk++) {
          const av = ta ? a[p * ar * ac + kk * ac + i]! : a[p * ar * ac + i * ac + kk]!;
          const bv = tb ? b[p * br * bc + j * bc + kk]! : b[p * br * bc + kk * bc + j]!;
          s += av * bv;
        }
        data[(p * m + i) * n + j] = s;
      }
    }
  }
  return { data, shape: [...as.slice(0, -2), m, n] };
}

/** float32 products accumulate rounding with the inner length; float64 stays at the shared tolerance. */
function tol(dtype: DType, k: number): { rtol: number; atol: number } {
  const t = tolerance(dtype);
  return dtype === 'float32' ? { rtol: t.rtol, atol: t.atol * Math.max(1, k) } : t;
}

type Op = typeof dot;

/** Runs `op` on random data of the given shapes and compares with `ref` on the same (rounded) inputs. */
function check(
  op: Op,
  ref: typeof refDot,
  rng: () => number,
  as: number[],
  bs: number[],
  ta: boolean,
  tb: boolean,
  dtype: DType,
  k: number,
): void {
  const a = nd(randomValues(rng, sizeOf(as)), as, dtype);
  const b = nd(randomValues(rng, sizeOf(bs)), bs, dtype);
  const out = op(a, b, { transposeA: ta, transposeB: tb });
  try {
    const expected = ref(values(a), as, values(b), bs, ta, tb);
    expect(out.shape, `${as} x ${bs} ta=${ta} tb=${tb}`).toEqual(expected.shape);
    expect(out.dtype).toBe(dtype);
    if (dtype === 'bfloat16') {
      const magnitudes = ref(values(a).map(Math.abs), as, values(b).map(Math.abs), bs, ta, tb);
      expectBFloat16Product(values(out), expected, magnitudes, k);
    } else {
      expectAllClose(values(out), expected.data, tol(dtype, k));
    }
  } finally {
    for (const x of [a, b, out]) x.dispose();
  }
}

/** Stored shapes of an (m, k) x (k, n) product under the transpose flags. */
function matrixShapes(m: number, n: number, k: number, ta: boolean, tb: boolean): [number[], number[]] {
  return [ta ? [k, m] : [m, k], tb ? [n, k] : [k, n]];
}

/** Sizes past OpenBLAS's blocking, and the vector-shaped products that go to gemv / dot in float32. */
const DOT_SIZES = [
  [37, 53, 29],
  [1, 41, 23],
  [43, 1, 19],
  [1, 1, 57],
  [64, 3, 130],
] as const;

describe('dot', () => {
  for (const dtype of DTYPES) {
    for (const [ta, tb] of FLAGS) {
      it(`2-D x 2-D matches the reference (${dtype}, transposeA=${ta}, transposeB=${tb})`, () => {
        const rng = makeRng(11 + Number(ta) * 2 + Number(tb));
        for (let t = 0; t < 25; t++) {
          const [m, n, k] = randomShape(rng, 3, 6);
          const [as, bs] = matrixShapes(m!, n!, k!, ta, tb);
          check(dot, refDot, rng, as, bs, ta, tb, dtype, k!);
        }
        for (const [m, n, k] of DOT_SIZES) {
          const [as, bs] = matrixShapes(m, n, k, ta, tb);
          check(dot, refDot, rng, as, bs, ta, tb, dtype, k);
        }
      });
    }

    it(`1-D x 1-D is the inner product with shape [1] (${dtype})`, () => {
      const rng = makeRng(5);
      for (const len of [0, 1, 7, 300]) check(dot, refDot, rng, [len], [len], false, false, dtype, len);
      const a = nd([1, 2, 3], [3], dtype);
      const b = nd([4, 5, 6], [3], dtype);
      const out = dot(a, b);
      expect(out.shape).toEqual([1]);
      expect(out.toArray()).toEqual([32]);
      for (const x of [a, b, out]) x.dispose();
    });

    it(`mixes 1-D with N-D operands under every flag (${dtype})`, () => {
      const rng = makeRng(7);
      for (const [ta, tb] of FLAGS) {
        check(dot, refDot, rng, [5], tb ? [4, 5] : [5, 4], ta, tb, dtype, 5);
        check(dot, refDot, rng, [5], tb ? [3, 2, 5] : [5, 3, 2], ta, tb, dtype, 5);
        check(dot, refDot, rng, ta ? [6, 2, 3] : [2, 3, 6], [6], ta, false, dtype, 6);
        check(dot, refDot, rng, ta ? [0, 4] : [4, 0], [0], ta, tb, dtype, 0);
      }
    });

    it(`contracts one axis of N-D operands as MXNet does (${dtype})`, () => {
      const rng = makeRng(13);
      for (const [ta, tb] of FLAGS) {
        for (let t = 0; t < 12; t++) {
          const k = Math.floor(rng() * 5);
          const aFree = randomShape(rng, 1 + Math.floor(rng() * 3), 4);
          const bFree = randomShape(rng, 1 + Math.floor(rng() * 3), 4);
          const as = ta ? [k, ...aFree] : [...aFree, k];
          const bs = tb ? [...bFree, k] : [k, ...bFree];
          check(dot, refDot, rng, as, bs, ta, tb, dtype, k);
        }
      }
      // The documented example: (2, 3, 4) x (4, 5) -> (2, 3, 5); with transposeA, (4, 2, 3) -> (2, 3, 5).
      const a = zeros([4, 2, 3], { dtype });
      const b = zeros([4, 5], { dtype });
      const out = dot(a, b, { transposeA: true });
      expect(out.shape).toEqual([2, 3, 5]);
      for (const x of [a, b, out]) x.dispose();
    });

    it(`gives zeros when the inner axis is empty and empty results for empty free axes (${dtype})`, () => {
      const a = nd([], [3, 0], dtype);
      const b = nd([], [0, 4], dtype);
      const out = dot(a, b);
      expect(out.shape).toEqual([3, 4]);
      expect(Array.from(values(out))).toEqual(new Array(12).fill(0));
      const c = nd([], [0, 2], dtype);
      const d = nd([1, 2, 3, 4], [2, 2], dtype);
      const e = dot(c, d);
      expect(e.shape).toEqual([0, 2]);
      for (const x of [a, b, out, c, d, e]) x.dispose();
    });
  }

  it('leaves no live arrays or bytes behind', () => {
    const a = zeros([8, 8]);
    const b = zeros([8, 8]);
    const before = memoryStats();
    for (let i = 0; i < 50; i++) dot(a, b, { transposeB: i % 2 === 1 }).dispose();
    const after = memoryStats();
    expect(after.liveHandles).toBe(before.liveHandles);
    expect(after.liveBytes).toBe(before.liveBytes);
    a.dispose();
    b.dispose();
  });
});

describe('batchDot', () => {
  for (const dtype of DTYPES) {
    for (const [ta, tb] of FLAGS) {
      it(`matches the reference (${dtype}, transposeA=${ta}, transposeB=${tb})`, () => {
        const rng = makeRng(31 + Number(ta) * 2 + Number(tb));
        for (let t = 0; t < 20; t++) {
          const batchAxes = randomShape(rng, 1 + Math.floor(rng() * 2), 3);
          const [m, n, k] = randomShape(rng, 3, 5);
          const [as, bs] = matrixShapes(m!, n!, k!, ta, tb);
          check(batchDot, refBatchDot, rng, [...batchAxes, ...as], [...batchAxes, ...bs], ta, tb, dtype, k!);
        }
        // Many small products run on the thread pool, larger ones one by one through OpenBLAS.
        for (const [batch, m, n, k] of [
          [200, 16, 16, 16],
          [300, 1, 24, 20],
          [3, 70, 65, 66],
        ] as const) {
          const [as, bs] = matrixShapes(m, n, k, ta, tb);
          check(batchDot, refBatchDot, rng, [batch, ...as], [batch, ...bs], ta, tb, dtype, k);
        }
      });
    }

    it(`fills zeros for an empty inner axis (${dtype})`, () => {
      const a = nd([], [2, 3, 0], dtype);
      const b = nd([], [2, 0, 4], dtype);
      const out = batchDot(a, b);
      expect(out.shape).toEqual([2, 3, 4]);
      expect(Array.from(values(out))).toEqual(new Array(24).fill(0));
      for (const x of [a, b, out]) x.dispose();
    });
  }
});

/**
 * A bfloat16 product against the float64 product of the same bfloat16 inputs: one rounding of the
 * result (half a step, 2^-9 relative, doubled for margin) plus float32 accumulation, at most about
 * k·2^-24 of Σ|a||b| (`absolute`: the reference product of the inputs' magnitudes).
 */
function expectBFloat16Product(got: ArrayLike<number>, exact: Ref, absolute: Ref, k: number): void {
  expect(got.length).toBe(exact.data.length);
  for (let i = 0; i < got.length; i++) {
    const e = exact.data[i]!;
    const bound = 2 ** -8 * Math.abs(e) + (k + 1) * 2 ** -24 * absolute.data[i]!;
    if (!(Math.abs(got[i]! - e) <= bound)) expect.fail(`element ${i}: got ${got[i]}, expected ${e} within ${bound}`);
  }
}

describe('bfloat16 dot and batchDot (oneDNN bfloat16 products, float32 accumulation)', () => {
  const initialBackend = getGemmBackend();
  afterEach(() => setGemmBackend(initialBackend));

  for (const [ta, tb] of FLAGS) {
    it(`dot matches the float64 product of its inputs (transposeA=${ta}, transposeB=${tb})`, () => {
      const rng = makeRng(61 + Number(ta) * 2 + Number(tb));
      for (let t = 0; t < 12; t++) {
        const [m, n, k] = randomShape(rng, 3, 6, 1);
        const [as, bs] = matrixShapes(m!, n!, k!, ta, tb);
        check(dot, refDot, rng, as, bs, ta, tb, 'bfloat16', k!);
      }
      for (const [m, n, k] of DOT_SIZES) {
        const [as, bs] = matrixShapes(m, n, k, ta, tb);
        check(dot, refDot, rng, as, bs, ta, tb, 'bfloat16', k);
      }
      // N-D operands contract one axis; a 1-D side contributes no free axis.
      check(dot, refDot, rng, ta ? [6, 2, 3] : [2, 3, 6], tb ? [4, 5, 6] : [6, 4, 5], ta, tb, 'bfloat16', 6);
      check(dot, refDot, rng, [5], tb ? [3, 2, 5] : [5, 3, 2], false, tb, 'bfloat16', 5);
    });

    it(`batchDot matches the float64 product of its inputs (transposeA=${ta}, transposeB=${tb})`, () => {
      const rng = makeRng(71 + Number(ta) * 2 + Number(tb));
      for (let t = 0; t < 8; t++) {
        const batchAxes = randomShape(rng, 1 + Math.floor(rng() * 2), 3, 1);
        const [m, n, k] = randomShape(rng, 3, 5, 1);
        const [as, bs] = matrixShapes(m!, n!, k!, ta, tb);
        check(batchDot, refBatchDot, rng, [...batchAxes, ...as], [...batchAxes, ...bs], ta, tb, 'bfloat16', k!);
      }
      for (const [batch, m, n, k] of [
        [40, 16, 16, 16],
        [3, 70, 65, 66],
      ] as const) {
        const [as, bs] = matrixShapes(m, n, k, ta, tb);
        check(batchDot, refBatchDot, rng, [batch, ...as], [batch, ...bs], ta, tb, 'bfloat16', k);
      }
    });
  }

  it('1-D x 1-D is the inner product, and 1024 ones sum to 1024 (bfloat16 accumulation would stop at 256)', () => {
    const rng = makeRng(81);
    for (const len of [1, 7, 300]) check(dot, refDot, rng, [len], [len], false, false, 'bfloat16', len);
    const a = ones([1024], { dtype: 'bfloat16' });
    const row = ones([1, 1024], { dtype: 'bfloat16' });
    const col = ones([1024, 1], { dtype: 'bfloat16' });
    const inner = dot(a, a);
    const product = dot(row, col);
    const batched = batchDot(row.reshape([1, 1, 1024]), col.reshape([1, 1024, 1]));
    expect(inner.shape).toEqual([1]);
    for (const out of [inner, product, batched]) {
      expect(out.dtype).toBe('bfloat16');
      expect(out.toArray()).toEqual([1024]);
    }
    for (const x of [a, row, col, inner, product, batched]) x.dispose();
  });

  it('gives zeros for an empty inner axis and empty results for empty free axes', () => {
    const out = dot(nd([], [3, 0], 'bfloat16'), nd([], [0, 4], 'bfloat16'));
    expect(out.shape).toEqual([3, 4]);
    expect(out.dtype).toBe('bfloat16');
    expect(Array.from(values(out))).toEqual(new Array(12).fill(0));
    expect(dot(nd([], [0, 2], 'bfloat16'), nd([1, 2, 3, 4], [2, 2], 'bfloat16')).shape).toEqual([0, 2]);
    const batched = batchDot(nd([], [2, 3, 0], 'bfloat16'), nd([], [2, 0, 4], 'bfloat16'));
    expect(Array.from(values(batched))).toEqual(new Array(24).fill(0));
  });

  it('runs on oneDNN in bfloat16 while the GEMM precision stays float32', () => {
    setGemmBackend('auto');
    expect(getGemmPrecision()).toBe('float32');
    const rng = makeRng(82);
    check(dot, refDot, rng, [70, 90], [50, 90], false, true, 'bfloat16', 90);
    // oneDNN reads and writes the bfloat16 arrays themselves: no float32 copy of any operand
    expect(gemmChoices()).toEqual([
      expect.objectContaining({
        m: 70,
        n: 50,
        k: 90,
        transposeB: true,
        backend: 'onednn',
        precision: 'bfloat16',
        bfloat16Arrays: true,
        calls: 1,
      }),
    ]);
    // A forced OpenBLAS multiplies the same bfloat16 values in float32: as accurate, rounded once.
    setGemmBackend('openblas');
    check(dot, refDot, rng, [70, 90], [50, 90], false, true, 'bfloat16', 90);
    expect(gemmChoices().map((c) => [c.backend, c.bfloat16Arrays])).toEqual([['openblas', false]]);
  });

  it('runs batchDot item by item on the bfloat16 arrays, each item one oneDNN product', () => {
    setGemmBackend('onednn');
    const rng = makeRng(83);
    check(batchDot, refBatchDot, rng, [3, 40, 30], [3, 30, 20], false, false, 'bfloat16', 30);
    expect(gemmChoices()).toEqual([
      expect.objectContaining({ m: 40, n: 20, k: 30, backend: 'onednn', bfloat16Arrays: true, calls: 3 }),
    ]);
  });
});

describe('dot and batchDot errors', () => {
  const made: NDArray[] = [];
  const f32 = (shape: number[], dtype: DType = 'float32', ctx = cpu(0)): NDArray => {
    const a = zeros(shape, { dtype, ctx });
    made.push(a);
    return a;
  };
  afterEach(() => {
    for (const a of made.splice(0)) a.dispose();
  });

  function expectError(fn: () => unknown, cls: new (...args: never[]) => Error, ...parts: string[]): void {
    let caught: unknown;
    try {
      fn();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(cls);
    for (const p of parts) expect((caught as Error).message).toContain(p);
  }

  it('names both shapes when the inner dimensions differ', () => {
    expectError(() => dot(f32([2, 3]), f32([4, 5])), ShapeError, 'dot', '(2, 3)', '(4, 5)');
    expectError(() => dot(f32([2, 3]), f32([2, 3]), { transposeB: false }), ShapeError, 'dot', '(2, 3)');
    expectError(() => dot(f32([3, 2]), f32([3, 2]), { transposeA: true, transposeB: true }), ShapeError, 'dot');
    expectError(() => dot(f32([3]), f32([4])), ShapeError, 'dot', '(3,)', '(4,)');
    expectError(() => dot(f32([2, 3, 4]), f32([3, 4])), ShapeError, 'dot', '(2, 3, 4)', '(3, 4)');
  });

  it('rejects transposed vectors and 0-d arrays', () => {
    expectError(() => dot(f32([3]), f32([3]), { transposeA: true }), ShapeError, 'dot', 'transposed');
    expectError(() => dot(f32([]), f32([3])), ShapeError, 'dot', '0-d');
  });

  it('requires float32 or float64 of one dtype', () => {
    expectError(() => dot(f32([2, 2]), f32([2, 2], 'float64')), DTypeError, 'dot', 'float32', 'float64');
    expectError(() => dot(f32([2, 2], 'int32'), f32([2, 2], 'int32')), DTypeError, 'dot', 'int32');
    expectError(() => batchDot(f32([1, 2, 2], 'float64'), f32([1, 2, 2])), DTypeError, 'batchDot');
    expectError(() => batchDot(f32([1, 2, 2], 'float16'), f32([1, 2, 2], 'float16')), DTypeError, 'batchDot');
  });

  it('requires bfloat16 on both sides: mixed dtypes name the op, both operands and their dtypes', () => {
    expectError(
      () => dot(f32([2, 3], 'bfloat16'), f32([3, 2])),
      DTypeError,
      'dot: lhs and rhs must have the same dtype, got lhs bfloat16 (2, 3) and rhs float32 (3, 2)',
    );
    expectError(
      () => batchDot(f32([1, 2, 2], 'float64'), f32([1, 2, 2], 'bfloat16')),
      DTypeError,
      'batchDot: lhs and rhs must have the same dtype, got lhs float64 (1, 2, 2) and rhs bfloat16 (1, 2, 2)',
    );
    expectError(
      () => dot(f32([2, 2], 'float16'), f32([2, 2], 'float16')),
      DTypeError,
      'dot: lhs must be float32, float64 or bfloat16, got float16',
    );
    expectError(() => dot(f32([2, 3], 'bfloat16'), f32([4, 5], 'bfloat16')), ShapeError, 'dot', '(2, 3)', '(4, 5)', '3 vs 4');
    expectError(
      () => batchDot(f32([2, 2, 3], 'bfloat16'), f32([3, 3, 2], 'bfloat16')),
      ShapeError,
      'batchDot',
      '(2, 2, 3)',
      '(3, 3, 2)',
    );
  });

  it('requires both inputs on one context', () => {
    expectError(() => dot(f32([2, 2], 'float32', cpu(1)), f32([2, 2])), ContextError, 'dot', 'cpu(1)');
    expectError(() => batchDot(f32([1, 2, 2], 'float32', cpu(1)), f32([1, 2, 2])), ContextError, 'batchDot');
  });

  it('checks batchDot ranks, batch axes and inner dimensions', () => {
    expectError(() => batchDot(f32([2, 3]), f32([3, 2])), ShapeError, 'batchDot', '(2, 3)', '(3, 2)');
    expectError(() => batchDot(f32([2, 2, 3]), f32([3, 2])), ShapeError, 'batchDot', '(2, 2, 3)');
    expectError(() => batchDot(f32([2, 2, 3]), f32([3, 3, 2])), ShapeError, 'batchDot', '(2, 2, 3)', '(3, 3, 2)');
    expectError(() => batchDot(f32([2, 2, 3]), f32([2, 4, 2])), ShapeError, 'batchDot', '(3 vs 4)');
    expectError(() => batchDot(f32([2, 2, 3]), f32([2, 3, 2]), { transposeA: true }), ShapeError, 'batchDot', 'transposeA=true');
  });
});

describe('threads', () => {
  const blas = native;

  // With OpenBLAS forced; otherwise it runs on one thread (gemm-backend.test.ts).
  it('setNumThreads sets OpenBLAS thread count together with the pool', () => {
    const original = getNumThreads();
    const backend = getGemmBackend();
    setGemmBackend('openblas');
    try {
      setNumThreads(1);
      expect(blas.blasNumThreads()).toBe(1);
      expect(getNumThreads()).toBe(1);
      setNumThreads(2);
      expect(blas.blasNumThreads()).toBe(2);
    } finally {
      setNumThreads(original);
    }
    expect(blas.blasNumThreads()).toBe(original);
    setGemmBackend(backend);
  });
});
