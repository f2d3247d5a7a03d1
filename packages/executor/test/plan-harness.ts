// Shared by the operator-family tests: run a symbol's forward pass through a bound executor, and run a
// single plan kernel on hand-made (possibly malformed) slots to reach its native validation.
import {
  type GemmChoice,
  getGemmBackend,
  getGemmPrecision,
  memoryStats,
  type NDArray,
  setGemmBackend,
  setGemmPrecision,
} from '@bkt/ndarray';
import { type KernelName, Plan } from '@bkt/ndarray/internal';
import { Embedding, FullyConnected, Reshape, RNN, SoftmaxOutput, type Symbol, Variable } from '@bkt/symbol';
import { afterAll, expect } from 'vitest';

import { Executor } from '../src/index.js';
import { values } from '../../ndarray/test/helpers.js';

/** MXNet's bucketing LM in small: Embedding -> 2 x fused LSTM -> FullyConnected -> SoftmaxOutput, data and label (T, N). */
export function bucketLm(vocab = 50, hidden = 16): Symbol {
  const embed = Embedding({ data: Variable('data'), name: 'embed', inputDim: vocab, outputDim: hidden });
  const lstm = RNN({ data: embed, name: 'lstm', mode: 'lstm', stateSize: hidden, numLayers: 2 });
  const pred = FullyConnected({ data: Reshape({ data: lstm, shape: [-1, hidden] }), name: 'pred', numHidden: vocab });
  return SoftmaxOutput({ data: pred, label: Reshape({ data: Variable('softmax_label'), shape: [-1] }), name: 'softmax' });
}

/** The gradients bucketLm trains (every parameter, no input). */
export const BUCKET_LM_GRAD_REQ = {
  embed_weight: 'write',
  lstm_parameters: 'write',
  pred_weight: 'write',
  pred_bias: 'write',
} as const;

/** Binds `symbol` to `args` (no gradients), runs forward and returns every output as float64. */
export function forwardValues(symbol: Symbol, args: Readonly<Record<string, NDArray>>): Float64Array[] {
  const exec = Executor.bind(symbol, { args, gradReq: 'null' });
  try {
    return exec.forward().map(values);
  } finally {
    exec.dispose();
  }
}

/**
 * Prepares (the kernel's GEMM declaration, as at bind) and runs one kernel of a one-instruction plan over
 * `inputs` -> `outputs` with `attrs`. Both check the slots: a declaration that rejects them must raise
 * the same error as the kernel.
 */
export function runKernel(kernel: KernelName, inputs: NDArray[], outputs: NDArray[], attrs: number[]): void {
  const slots = [...inputs, ...outputs];
  const plan = new Plan(
    [{ kernel, inputs: inputs.map((_, i) => i), outputs: outputs.map((_, i) => inputs.length + i), attrs, node: 0 }],
    [`test '${kernel}'`],
    slots.length,
  );
  try {
    slots.forEach((a, i) => plan.setSlot(i, a));
    let declared: unknown = null;
    try {
      plan.prepare();
    } catch (e) {
      declared = e;
    }
    try {
      plan.run(0, 1, true);
    } catch (e) {
      if (declared !== null) expect(String(declared)).toBe(String(e));
      throw e;
    }
    if (declared !== null) throw new Error(`the GEMM declaration rejected what the kernel ran: ${String(declared)}`);
  } finally {
    plan.dispose();
  }
}

/** Runs forward + backward `runs` times on a bound executor and asserts that no array was allocated. */
export function expectNoAllocations(exec: Executor, runs = 3): void {
  exec.forward({ isTrain: true });
  exec.backward();
  const before = memoryStats();
  for (let i = 0; i < runs; i++) {
    exec.forward({ isTrain: true });
    exec.backward();
  }
  const after = memoryStats();
  expect(after.totalAllocations).toBe(before.totalAllocations);
  expect(after.liveHandles).toBe(before.liveHandles);
}

/** Each GEMM choice's full key (sizes, layout, alpha, beta, bias, precision), sorted: equal lists, same products. */
export function gemmKeys(choices: readonly GemmChoice[]): string[] {
  const t = (b: boolean): string => (b ? 'T' : 'N');
  return choices
    .map(
      (c) =>
        `${c.m}x${c.n}x${c.k} ${t(c.transposeA)}${t(c.transposeB)} ld ${c.lda},${c.ldb},${c.ldc} ` +
        `α${c.alpha} β${c.beta}${c.bias ? ' +bias' : ''} ${c.precision}`,
    )
    .sort();
}

/** Puts the GEMM backend and precision in force now back after the calling file's tests, which change them. */
export function restoreGemmSettingsAfterAll(): void {
  const initial = { backend: getGemmBackend(), precision: getGemmPrecision() };
  afterAll(() => {
    setGemmBackend(initial.backend);
    setGemmPrecision(initial.precision);
  });
}
