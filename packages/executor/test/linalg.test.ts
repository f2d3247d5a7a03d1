// dot and batch_dot through the executor: forward against a float64 reference for every transpose
// flag and rank, gradients against finite differences, and their errors.
import { BindError, type DType, random, seed, ShapeError } from '@bkt/ndarray';
import { batch_dot, dot, Variable } from '@bkt/symbol';
import { describe, expect, it } from 'vitest';

import { expectAllClose, expectError, makeRng, nd, randomValues, sizeOf, tolerance } from '../../ndarray/test/helpers.js';
import { checkNumericGradient, Executor } from '../src/index.js';
import { expectNoAllocations, forwardValues, runKernel } from './plan-harness.js';

const DTYPES: readonly DType[] = ['float32', 'float64'];
const lhs = Variable('lhs');
const rhs = Variable('rhs');

/** Element (i, j) of the matrix view of an operand: `first` contracts axis 0 ((k, rest) stored), else the last. */
function matrix(
  data: Float64Array,
  shape: number[],
  first: boolean,
): { rows: number; k: number; at: (i: number, j: number) => number } {
  const k = first ? shape[0]! : shape[shape.length - 1]!;
  const rows = sizeOf(shape) / k;
  return { rows, k, at: first ? (i, j) => data[j * rows + i]! : (i, j) => data[i * k + j]! };
}

/** MXNet's dot: lhs's free axes times rhs's, contracting lhs's last (first with ta) and rhs's first (last with tb). */
function dotRef(a: Float64Array, as: number[], b: Float64Array, bs: number[], ta: boolean, tb: boolean): Float64Array {
  const A = matrix(a, as, ta);
  const B = matrix(b, bs, !tb);
  const out = new Float64Array(A.rows * B.rows);
  for (let i = 0; i < A.rows; i++) {
    for (let j = 0; j < B.rows; j++) {
      let s = 0;
      for (let p = 0; p < A.k; p++) s += A.at(i, p) * B.at(j, p);
      out[i * B.rows + j] = s;
    }
  }
  return out;
}

function batchDotRef(a: Float64Array, as: number[], b: Float64Array, bs: number[], ta: boolean, tb: boolean): Float64Array {
  const nd = as.length;
  const batch = sizeOf(as.slice(0, nd - 2));
  const [ar, ac] = [as[nd - 2]!, as[nd - 1]!];
  const [br, bc] = [bs[nd - 2]!, bs[nd - 1]!];
  const [m, k] = ta ? [ac, ar] : [ar, ac];
  const n = tb ? br : bc;
  const out = new Float64Array(batch * m * n);
  for (let t = 0; t < batch; t++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const av = a[t * ar * ac + (ta ? p * ac + i : i * ac + p)]!;
          const bv = b[t * br * bc + (tb ? j * bc + p : p * bc + j)]!;
          s += av * bv;
        }
        out[(t * m + i) * n + j] = s;
      }
    }
  }
  return out;
}

// [lhs shape, rhs shape, transpose_a, transpose_b]
const DOT_CASES: [number[], number[], boolean, boolean][] = [
  [[3, 4], [4, 5], false, false],
  [[4, 3], [4, 5], true, false],
  [[3, 4], [5, 4], false, true],
  [[4, 3], [5, 4], true, true],
  [[2, 3, 4], [4, 2, 3], false, false],
  [[4, 2, 3], [3, 4], true, true],
  [[6], [6], false, false],
  [[6], [6, 2], false, false],
  [[3, 6], [6], false, false],
  [[1, 40], [40, 1], false, false],
];

const BATCH_CASES: [number[], number[], boolean, boolean][] = [
  [[2, 3, 4], [2, 4, 5], false, false],
  [[2, 4, 3], [2, 4, 5], true, false],
  [[2, 3, 4], [2, 5, 4], false, true],
  [[3, 4, 3], [3, 5, 4], true, true],
  [[2, 2, 3, 4], [2, 2, 4, 1], false, false],
];

describe('dot', () => {
  it.each(DTYPES)('matches a float64 reference for every flag and rank (%s)', (dtype) => {
    const rng = makeRng(21);
    for (const [as, bs, ta, tb] of DOT_CASES) {
      const a = nd(randomValues(rng, sizeOf(as)), as, dtype);
      const b = nd(randomValues(rng, sizeOf(bs)), bs, dtype);
      const [got] = forwardValues(dot({ lhs, rhs, transposeA: ta, transposeB: tb }), { lhs: a, rhs: b });
      const want = dotRef(Float64Array.from(a.toArray()), as, Float64Array.from(b.toArray()), bs, ta, tb);
      expectAllClose(got!, want, dtype === 'float64' ? { rtol: 1e-12, atol: 1e-12 } : { rtol: 1e-5, atol: 1e-5 });
    }
  });

  it.each(DOT_CASES)('passes checkNumericGradient (%o x %o, ta=%s, tb=%s)', (as, bs, ta, tb) => {
    seed(22);
    const location = {
      lhs: random.uniform(-1, 1, as, { dtype: 'float64' }),
      rhs: random.uniform(-1, 1, bs, { dtype: 'float64' }),
    };
    checkNumericGradient(dot({ lhs, rhs, transposeA: ta, transposeB: tb }), location, { rtol: 1e-5, atol: 1e-8 });
  });

  it('raises a ShapeError at bind for mismatched inner dimensions, and the kernels check malformed plans', () => {
    expectError(
      () => Executor.simpleBind(dot({ lhs, rhs }), { shapes: { lhs: [2, 3], rhs: [4, 5] } }),
      ShapeError,
      /dot shape error/,
    );
    expectError(
      () => Executor.simpleBind(dot({ lhs, rhs, transposeA: true }), { shapes: { lhs: [3], rhs: [3] } }),
      ShapeError,
      /cannot transpose vectors/,
    );
    const a = nd([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = nd([1, 2, 3], [3, 1]);
    expectError(() => runKernel('dot', [a, b], [nd([0, 0, 0], [3])], [0, 0]), ShapeError, /dot: output/);
    expectError(
      () => runKernel('dot', [a, b], [nd([0, 0], [2])], [0]),
      BindError,
      /dot: the plan gives 1 attributes, the kernel takes 2/,
    );
    expectError(
      () =>
        runKernel('dot_backward', [nd([1, 1, 1], [3]), a, b], [nd(new Array(6).fill(0), [2, 3]), nd([0, 0, 0], [3, 1])], [0, 0]),
      ShapeError,
      /out_grad/,
    );
  });
});

describe('batch_dot', () => {
  it.each(DTYPES)('matches a float64 reference for every flag (%s)', (dtype) => {
    const rng = makeRng(23);
    for (const [as, bs, ta, tb] of BATCH_CASES) {
      const a = nd(randomValues(rng, sizeOf(as)), as, dtype);
      const b = nd(randomValues(rng, sizeOf(bs)), bs, dtype);
      const [got] = forwardValues(batch_dot({ lhs, rhs, transposeA: ta, transposeB: tb }), { lhs: a, rhs: b });
      const want = batchDotRef(Float64Array.from(a.toArray()), as, Float64Array.from(b.toArray()), bs, ta, tb);
      expectAllClose(got!, want, tolerance(dtype));
    }
  });

  it.each(BATCH_CASES)(
    'passes checkNumericGradient through its batch_dot gradient nodes (%o x %o, ta=%s, tb=%s)',
    (as, bs, ta, tb) => {
      seed(24);
      const location = {
        lhs: random.uniform(-1, 1, as, { dtype: 'float64' }),
        rhs: random.uniform(-1, 1, bs, { dtype: 'float64' }),
      };
      checkNumericGradient(batch_dot({ lhs, rhs, transposeA: ta, transposeB: tb }), location, { rtol: 1e-5, atol: 1e-8 });
    },
  );

  it('raises at bind for mismatched batches and allocates nothing per step', () => {
    expectError(
      () => Executor.simpleBind(batch_dot({ lhs, rhs }), { shapes: { lhs: [2, 3, 4], rhs: [3, 4, 5] } }),
      ShapeError,
      /batch axis 0/,
    );
    expectError(
      () => runKernel('batch_dot', [nd([1, 2], [1, 1, 2]), nd([1, 2], [1, 2, 1])], [nd([0, 0], [2])], [0, 0]),
      ShapeError,
      /batchDot: output/,
    );
    const exec = Executor.simpleBind(dot({ lhs: batch_dot({ lhs, rhs }), rhs: Variable('w') }), {
      shapes: { lhs: [4, 3, 5], rhs: [4, 5, 6], w: [6, 2] },
    });
    for (const a of Object.values(exec.argDict)) random.uniform(-1, 1, a.shape).copyTo(a);
    expectNoAllocations(exec);
    expect(exec.outputs[0]!.shape).toEqual([4, 3, 2]);
    exec.dispose();
  });
});
