// The GEMM choice is made at bind: each GEMM-backed plan kernel declares the products it will run, and
// binding chooses their libraries and builds their primitives (Plan.prepare). Bound, an executor lists
// every product in gemmChoices() before it runs; a training forward and backward afterwards add no
// shape and run every declared one — so a declaration that drifts from its kernel's calls fails here.
import {
  BindError,
  type GemmChoice,
  type GemmPrecision,
  gemmChoices,
  getGemmPrecision,
  type NDArray,
  random,
  seed,
  setGemmBackend,
  setGemmPrecision,
  zeros,
} from '@bkt/ndarray';
import { Plan } from '@bkt/ndarray/internal';
import { batch_dot, Convolution, dot, FullyConnected, RNN, type Symbol, Variable } from '@bkt/symbol';
import { describe, expect, it } from 'vitest';

import { expectError } from '../../ndarray/test/helpers.js';
import { Executor } from '../src/index.js';
import { gemmKeys as keys, restoreGemmSettingsAfterAll, runKernel } from './plan-harness.js';

restoreGemmSettingsAfterAll();

/**
 * Binds `sym` for training with `amp`, from an empty choice table; returns the choices after bind and
 * after one training forward and backward.
 */
function bindThenTrain(
  sym: Symbol,
  shapes: Record<string, number[]>,
  amp?: 'bfloat16',
): { bound: GemmChoice[]; ran: GemmChoice[] } {
  setGemmBackend('auto'); // forgets every earlier choice
  const exec = Executor.simpleBind(sym, { shapes, gradReq: 'write', ...(amp ? { amp } : {}) });
  try {
    const bound = gemmChoices();
    for (const a of exec.argArrays) random.uniform(-1, 1, a.shape).copyTo(a);
    exec.forward({ isTrain: true });
    exec.backward();
    return { bound, ran: gemmChoices() };
  } finally {
    exec.dispose();
  }
}

const data = Variable('data');
const lhs = Variable('lhs');
const rhs = Variable('rhs');

const conv = (opts: {
  kernel: number[];
  numFilter: number;
  numGroup?: number;
  pad?: number[];
  stride?: number[];
  noBias?: boolean;
}): Symbol => Convolution({ data, name: 'conv', pad: [], stride: [], ...opts });

const CASES: [string, () => Symbol, Record<string, number[]>][] = [
  ['FullyConnected with bias', () => FullyConnected({ data, numHidden: 37, name: 'fc' }), { data: [23, 3, 5] }],
  [
    'FullyConnected, no bias, flatten false',
    () => FullyConnected({ data, numHidden: 19, noBias: true, flatten: false, name: 'fc' }),
    { data: [4, 6, 11] },
  ],
  ...([false, true] as const).flatMap((transposeA) =>
    ([false, true] as const).map((transposeB): [string, () => Symbol, Record<string, number[]>] => [
      `dot, transposeA ${transposeA}, transposeB ${transposeB}`,
      () => dot({ lhs, rhs, transposeA, transposeB }),
      { lhs: transposeA ? [29, 17] : [17, 29], rhs: transposeB ? [13, 29] : [29, 13] },
    ]),
  ),
  // A one-row lhs: forward takes the GEMV path (no GEMM), the gradients are GEMMs.
  ['dot with a one-row lhs', () => dot({ lhs, rhs }), { lhs: [1, 29], rhs: [29, 13] }],
  ['batch_dot, small items on the pool', () => batch_dot({ lhs, rhs, transposeB: true }), { lhs: [3, 9, 14], rhs: [3, 8, 14] }],
  ['batch_dot, large items', () => batch_dot({ lhs, rhs, transposeA: true }), { lhs: [2, 72, 64], rhs: [2, 72, 40] }],
  ...(['lstm', 'gru', 'rnn_relu', 'rnn_tanh'] as const).flatMap((mode) =>
    [
      { numLayers: 1, bidirectional: false, stateOutputs: false, T: 5 },
      { numLayers: 2, bidirectional: true, stateOutputs: true, T: 5 },
      { numLayers: 2, bidirectional: false, stateOutputs: true, T: 1 },
    ].map(({ T, ...opts }): [string, () => Symbol, Record<string, number[]>] => [
      `fused RNN ${mode}, ${opts.numLayers} layers${opts.bidirectional ? ', bidirectional' : ''}${opts.stateOutputs ? ', state outputs' : ''}, ${T} steps`,
      () => RNN({ data, mode, stateSize: 7, name: 'rnn', ...opts }),
      { data: [T, 3, 4] },
    ]),
  ),
  ['Convolution 3x3, padded, with bias', () => conv({ kernel: [3, 3], numFilter: 6, pad: [1, 1] }), { data: [2, 4, 7, 6] }],
  [
    'Convolution 1x1 (direct), 2 groups, no bias',
    () => conv({ kernel: [1, 1], numFilter: 6, numGroup: 2, noBias: true }),
    { data: [2, 4, 5, 5] },
  ],
  ['Convolution 1-D, strided', () => conv({ kernel: [3], numFilter: 5, stride: [2] }), { data: [3, 2, 11] }],
];

describe.each([
  ['float32', undefined],
  ['bfloat16 (amp)', 'bfloat16'],
] as const)('GEMM products prepared at bind, %s', (_name, amp) => {
  const precision: GemmPrecision = amp ?? 'float32';
  it.each(CASES)('%s: bound before any run, and the run adds none', (_case, make, shapes) => {
    seed(7);
    const { bound, ran } = bindThenTrain(make(), shapes, amp);
    expect(bound.length).toBeGreaterThan(0);
    expect(bound.every((c) => c.calls === 0 && c.precision === precision)).toBe(true);
    // Same keys (no shape the declarations missed), and each declared product ran (none declared in excess)
    // but FullyConnected's backward over the rows of out_grad that are not all zero (a runtime row count,
    // m or k 0 in the record), which a gradient without zero rows does not run.
    expect(keys(ran)).toEqual(keys(bound));
    expect(keys(ran.filter((c) => c.calls === 0 && c.m !== 0 && c.k !== 0))).toEqual([]);
  });
});

describe('GEMM products prepared at bind: other binds', () => {
  it('a float64 graph declares none (float64 products always run on OpenBLAS)', () => {
    setGemmBackend('auto');
    const exec = Executor.simpleBind(FullyConnected({ data, numHidden: 5, name: 'fc' }), {
      shapes: { data: [4, 3] },
      dtypes: { data: 'float64' },
    });
    expect(gemmChoices()).toEqual([]);
    exec.dispose();
  });

  it('reshape prepares the new shapes at its bind', () => {
    setGemmBackend('onednn');
    const exec = Executor.simpleBind(FullyConnected({ data, numHidden: 5, name: 'fc' }), { shapes: { data: [8, 3] } });
    const next = exec.reshape({ data: [6, 3] });
    const forward = gemmChoices().filter((c) => c.bias);
    expect(forward.map((c) => `${c.m} ${c.backend} ${c.calls}`).sort()).toEqual(['6 onednn 0', '8 onednn 0']);
    next.dispose();
    exec.dispose();
  });

  it('a declaration that fails raises at bind naming the node, like the kernel would at run', () => {
    // A hand-built FullyConnected whose weight does not fit its data.
    const plan = new Plan(
      [{ kernel: 'fully_connected', inputs: [0, 1], outputs: [2], attrs: [4, 1, 1], node: 0 }],
      ['fc_bad'],
      3,
    );
    plan.setSlot(0, random.uniform(-1, 1, [2, 3]));
    plan.setSlot(1, random.uniform(-1, 1, [4, 5]));
    plan.setSlot(2, random.uniform(-1, 1, [2, 4]));
    expect(() => plan.prepare()).toThrow(/fc_bad: FullyConnected: weight \(4, 5\) does not fit data \(2, 3\)/);
    expect(() => plan.run(0, 1, false)).toThrow(/fc_bad: FullyConnected: weight \(4, 5\) does not fit data \(2, 3\)/);
    plan.dispose();
  });

  it('malformed hand-built FullyConnected and RNN instructions raise a BindError in the declaration and the kernel alike', () => {
    const z = (...shape: number[]): NDArray => zeros(shape);
    const lstm = [2, 3, 1, 0, 0, 0]; // mode (2: lstm), state_size, num_layers, bidirectional, p, state_outputs
    expectError(
      () => runKernel('fully_connected', [z(2, 3)], [z(2, 4)], [4, 0, 1]),
      BindError,
      /FullyConnected: the plan gives 1 inputs/,
    );
    expectError(
      () => runKernel('fully_connected_backward', [z(2, 4), z(2, 3)], [z(2, 3), z(4, 3)], [4, 0, 1]),
      BindError,
      /_backward_FullyConnected: the plan gives 2 inputs/,
    );
    expectError(() => runKernel('rnn', [z(5, 2, 4)], [z(5, 2, 3), z(1)], lstm), BindError, /RNN: the plan gives 1 inputs/);
    expectError(() => runKernel('rnn', [], [z(1)], lstm), BindError, /RNN: the plan gives 0 inputs/);
    expectError(
      () => runKernel('rnn_backward', [z(5, 2, 4), z(1), z(1, 2, 3)], [z(5, 2, 4)], lstm),
      BindError,
      /_backward_RNN: the plan gives 3 inputs/,
    );
  });

  it('the precision of a bind is the executor’s, whatever is in force around it', () => {
    setGemmBackend('auto');
    setGemmPrecision('float32');
    const exec = Executor.simpleBind(FullyConnected({ data, numHidden: 5, name: 'fc' }), {
      shapes: { data: [8, 3] },
      amp: 'bfloat16',
    });
    // the forward, the backward's two full products and its three over the live rows (a runtime m or k;
    // d_weight's also accumulating, for the gathered rows after a leading run)
    expect(gemmChoices().map((c) => c.precision)).toEqual(new Array(6).fill('bfloat16'));
    expect(gemmChoices().filter((c) => c.m === 0 || c.k === 0)).toHaveLength(3);
    expect(getGemmPrecision()).toBe('float32');
    exec.dispose();
  });
});
