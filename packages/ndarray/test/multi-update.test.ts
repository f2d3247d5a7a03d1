// multiUpdate against the per-parameter updates it batches: the same parameters updated one op call
// each and in one multiUpdate call must end bit for bit equal, for every op, on the parallel path
// (tensors larger than a pool chunk) and across many small tensors, with per-parameter options.
import { describe, expect, it } from 'vitest';

import {
  type DType,
  fusedUpdate,
  type FusedUpdateOp,
  type FusedUpdateOptions,
  multiUpdate,
  type NDArray,
  random,
  seed,
  ShapeError,
  sparse,
  StateError,
  ValueError,
  zeros,
} from '../src/index.js';
import { expectError, makeRng, nd, randomValues, sizeOf } from './helpers.js';

interface OpCase {
  op: FusedUpdateOp;
  states: number;
  /** Options for parameter k at step t (each parameter gets its own lr, wd ...). */
  opts(k: number, t: number): FusedUpdateOptions[FusedUpdateOp];
}

const base = (k: number) => ({ lr: 0.01 * (k + 1), wd: 0.001 * k, rescaleGrad: 0.5, clipGradient: k % 2 === 0 ? 0.3 : -1 });

const CASES: OpCase[] = [
  { op: 'sgdUpdate', states: 0, opts: base },
  { op: 'signsgdUpdate', states: 0, opts: base },
  { op: 'sgdMomUpdate', states: 1, opts: (k) => ({ ...base(k), momentum: 0.9 }) },
  { op: 'nagMomUpdate', states: 1, opts: (k) => ({ ...base(k), momentum: 0.8 }) },
  { op: 'adamUpdate', states: 2, opts: (k) => ({ ...base(k), beta1: 0.9, beta2: 0.99 }) },
  { op: 'rmspropUpdate', states: 1, opts: (k) => ({ ...base(k), gamma1: 0.9, clipWeights: k === 1 ? 0.5 : -1 }) },
  { op: 'rmspropalexUpdate', states: 3, opts: (k) => ({ ...base(k), gamma1: 0.95, gamma2: 0.9 }) },
  { op: 'ftrlUpdate', states: 2, opts: (k) => ({ ...base(k), lamda1: 0.01, beta: 1 }) },
  { op: 'ftmlUpdate', states: 3, opts: (k, t) => ({ ...base(k), t }) },
  { op: 'signumUpdate', states: 1, opts: (k) => ({ ...base(k), momentum: 0.9, wdLh: 0.01 }) },
  { op: 'adagradUpdate', states: 1, opts: base },
  { op: 'adadeltaUpdate', states: 2, opts: (k) => ({ wd: 0.001 * k, rho: 0.9, rescaleGrad: 0.5 }) },
  { op: 'adamaxUpdate', states: 2, opts: base },
  {
    op: 'nadamUpdate',
    states: 2,
    opts: (k, t) => ({
      ...base(k),
      momentumT: 0.9 - 0.01 * t,
      momentumT1: 0.9 - 0.01 * (t + 1),
      mSchedule: 0.9 ** t,
      mScheduleNext: 0.9 ** (t + 1),
      beta2PowT: 0.999 ** t,
    }),
  },
  { op: 'lambUpdate', states: 2, opts: (k, t) => ({ ...base(k), t, lowerBound: k === 2 ? 0.1 : -1 }) },
  { op: 'sgldUpdate', states: 0, opts: base },
];

// One tensor big enough that the pool's split falls inside it (over 2 × 2^15 elements), a middling
// one, and a few small ones.
const SHAPES = [[170, 400], [5000], [7, 3], [1], [0, 4], [33]];

interface Param {
  weight: NDArray;
  grad: NDArray;
  states: NDArray[];
  weight32?: NDArray;
}

function makeParams(states: number, dtype: DType, rng: () => number, multiPrecision: boolean): Param[] {
  return SHAPES.map((shape) => {
    const n = sizeOf(shape);
    const w = randomValues(rng, n);
    const stateDtype = multiPrecision ? 'float32' : dtype;
    return {
      weight: nd(w, shape, dtype),
      grad: nd(randomValues(rng, n), shape, dtype),
      // Positive states keep the square roots of rmspropalex / adadelta well defined.
      states: Array.from({ length: states }, () => nd(randomValues(rng, n, 0.1, 1), shape, stateDtype)),
      weight32: multiPrecision ? nd(w, shape, 'float32') : undefined,
    };
  });
}

const copyParam = (p: Param): Param => ({
  weight: p.weight.copy(),
  grad: p.grad.copy(),
  states: p.states.map((s) => s.copy()),
  weight32: p.weight32?.copy(),
});
const bytes = (a: NDArray): Buffer => Buffer.from(a.toTypedArray().buffer.slice(0));
// Buffer.equals: a deep toEqual over half a million bytes is slow.
const sameBits = (a: NDArray, b: NDArray): boolean => bytes(a).equals(bytes(b));

function expectSameBits(a: Param[], b: Param[], label: string): void {
  a.forEach((p, k) => {
    const q = b[k]!;
    expect(sameBits(q.weight, p.weight), `${label}: weight ${k}`).toBe(true);
    p.states.forEach((s, j) => expect(sameBits(q.states[j]!, s), `${label}: state ${j} of ${k}`).toBe(true));
    if (p.weight32) expect(sameBits(q.weight32!, p.weight32), `${label}: weight32 ${k}`).toBe(true);
  });
}

describe('multiUpdate equals the per-parameter updates bit for bit', () => {
  for (const c of CASES) {
    for (const [dtype, multiPrecision] of [
      ['float32', false],
      ['float64', false],
      ['float16', true],
    ] as const) {
      it(`${c.op} on ${dtype}${multiPrecision ? ' with float32 master copies' : ''}`, () => {
        const one = makeParams(c.states, dtype, makeRng(7), multiPrecision);
        const all = one.map(copyParam);
        for (let t = 1; t <= 3; t++) {
          const opts = one.map((p, k) => ({ ...c.opts(k, t), ...(p.weight32 ? { weight32: p.weight32 } : {}) }));
          seed(11 + t);
          one.forEach((p, k) => fusedUpdate(c.op, p.weight, p.grad, p.states, opts[k]!));
          seed(11 + t);
          multiUpdate(
            c.op,
            all.map((p, k) => ({
              weight: p.weight,
              grad: p.grad,
              states: p.states,
              opts: { ...c.opts(k, t), ...(p.weight32 ? { weight32: p.weight32 } : {}) },
            })),
          );
          expectSameBits(one, all, `${c.op} step ${t}`);
        }
        // The updates did change the weights (a no-op would match trivially).
        const start = makeParams(c.states, dtype, makeRng(7), multiPrecision);
        expect(sameBits(all[0]!.weight, start[0]!.weight)).toBe(false);
      });
    }
  }
});

describe('multiUpdate errors', () => {
  const param = (shape: number[] = [4]): Param => ({
    weight: random.uniform(-1, 1, shape),
    grad: random.uniform(-1, 1, shape),
    states: [zeros(shape)],
  });
  const item = (p: Param) => ({ weight: p.weight, grad: p.grad, states: p.states, opts: { lr: 0.1, momentum: 0.9 } });

  it('a parameter sharing an array another one writes is a ValueError, and nothing changes', () => {
    const a = param();
    const before = a.weight.copy();
    expectError(
      () => multiUpdate('sgdMomUpdate', [item(a), item(a)]),
      ValueError,
      /multi-tensor update: updates 0 and 1 share memory/,
    );
    const b = param();
    const sharedMom = { ...item(b), states: a.states };
    expectError(() => multiUpdate('sgdMomUpdate', [item(a), sharedMom]), ValueError, /updates 0 and 1 share memory/);
    // A gradient read by two parameters is fine: only written memory must be apart.
    const c = { ...param(), grad: a.grad };
    expect(sameBits(a.weight, before)).toBe(true);
    multiUpdate('sgdMomUpdate', [item(a), item(c)]);
    expect(sameBits(a.weight, before)).toBe(false);
  });

  it('a bad parameter is named by its position, before any parameter is updated', () => {
    const good = param();
    const before = good.weight.copy();
    const bad = { ...param([4]), states: [zeros([5])] };
    expectError(
      () => multiUpdate('sgdMomUpdate', [item(good), item(bad)]),
      ShapeError,
      /multiUpdate: parameter 1: sgdMomUpdate: mom has shape \(5,\) but weight has shape \(4,\)/,
    );
    expect(sameBits(good.weight, before)).toBe(true);
  });

  it('wrong state counts, sparse gradients, disposed arrays, unknown ops and NaN options are rejected', () => {
    const p = param();
    expectError(
      () => multiUpdate('adamUpdate', [item(p)]),
      ValueError,
      /multiUpdate\(adamUpdate\): item 0: adamUpdate takes 2 state arrays \(mean, var\), got 1/,
    );
    const rsp = sparse.rowSparseArray([nd([1, 2], [1, 2]), nd([0], [1], 'int64')], [4, 2]);
    const w2 = zeros([4, 2]);
    expectError(
      () => multiUpdate('sgdUpdate', [{ weight: w2, grad: rsp, states: [], opts: { lr: 0.1 } }]),
      ValueError,
      /item 0: the gradient is row_sparse; multiUpdate takes dense gradients/,
    );
    const gone = param();
    gone.states[0]!.dispose();
    expectError(
      () => multiUpdate('sgdMomUpdate', [item(p), item(gone)]),
      StateError,
      /multiUpdate\(sgdMomUpdate\): item 1: mom was disposed/,
    );
    expectError(
      () => multiUpdate('adamwUpdate' as FusedUpdateOp, [item(p)]),
      ValueError,
      /multiUpdate: unknown update 'adamwUpdate'/,
    );
    expectError(() => multiUpdate('sgdMomUpdate', [{ ...item(p), opts: { lr: Number.NaN } }]), ValueError, /item 0.*lr/);
  });

  it('an empty list does nothing', () => {
    expect(() => multiUpdate('sgdUpdate', [])).not.toThrow();
  });
});
