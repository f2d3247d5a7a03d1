// Under amp: 'bfloat16' a weight is reordered (converted to bfloat16 and packed) into the layout
// oneDNN's product reads once per write and layout, at its first use, not once per product: the counts
// of reorders prove the reuse, and the outputs after each kind of write (an optimizer update, copyTo,
// fill) prove that a stale copy is never used.
import {
  weightLayoutReorders,
  fromTypedArray,
  getGemmBackend,
  getGemmPrecision,
  type NDArray,
  random,
  setGemmBackend,
  setGemmPrecision,
  sgdUpdate,
} from '@bkt/ndarray';
import { FullyConnected, RNN, Variable } from '@bkt/symbol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { relativeError, roundToBFloat16 } from '../../ndarray/test/helpers.js';
import { Executor } from '../src/index.js';

const initial = { backend: getGemmBackend(), precision: getGemmPrecision() };
beforeAll(() => setGemmBackend('auto'));
afterAll(() => {
  setGemmBackend(initial.backend);
  setGemmPrecision(initial.precision);
});

const rows = 64;
const inDim = 120;
const hidden = 96;

/** FullyConnected's output in float64 from bfloat16-rounded data and weight (what amp multiplies). */
function fcReference(x: readonly number[], w: readonly number[], b: readonly number[]): Float64Array {
  const out = new Float64Array(rows * hidden);
  for (let r = 0; r < rows; r++) {
    for (let h = 0; h < hidden; h++) {
      let s = b[h]!;
      for (let k = 0; k < inDim; k++) s += roundToBFloat16(x[r * inDim + k]!) * roundToBFloat16(w[h * inDim + k]!);
      out[r * hidden + h] = s;
    }
  }
  return out;
}

describe('bfloat16 weight layouts', () => {
  it('FullyConnected reorders its weight once per write and layout and never uses a stale copy', () => {
    const sym = FullyConnected({ data: Variable('data'), numHidden: hidden, name: 'fc' });
    const exec = Executor.simpleBind(sym, { shapes: { data: [rows, inDim] }, gradReq: 'write', amp: 'bfloat16' });
    const { data, fc_weight: weight, fc_bias: bias } = exec.argDict as Record<string, NDArray>;
    for (const a of [data!, weight!, bias!]) random.uniform(-1, 1, a.shape).copyTo(a);
    const head = random.uniform(-1, 1, [rows, hidden]);
    const step = (): Float64Array => {
      const out = Float64Array.from(exec.forward({ isTrain: true })[0]!.toArray());
      exec.backward([head]);
      return out;
    };
    // Reading an array is an eager call too, which counts as a write: the reference's values are read
    // once after each change, before the steps that use them.
    let reference: Float64Array = new Float64Array();
    const changed = (): void => {
      reference = fcReference(data!.toArray(), weight!.toArray(), bias!.toArray());
    };
    const expectCurrent = (out: Float64Array, what: string): void => {
      expect(relativeError(out, reference), what).toBeLessThan(1e-5);
    };

    changed();
    const before = weightLayoutReorders();
    expectCurrent(step(), 'first step');
    // A step uses the weight as Bᵀ (forward) and as B (data gradient): one copy in each layout.
    expect(weightLayoutReorders() - before).toBe(2);
    expectCurrent(step(), 'unchanged weight');
    expect(weightLayoutReorders() - before).toBe(2);

    sgdUpdate(weight!, exec.gradDict.fc_weight!, { lr: 0.5 });
    changed();
    expectCurrent(step(), 'after an optimizer update');
    expectCurrent(step(), 'after an optimizer update, again');
    expect(weightLayoutReorders() - before).toBe(4);

    random.uniform(-2, 2, weight!.shape).copyTo(weight!);
    changed();
    expectCurrent(step(), 'after copyTo');
    expectCurrent(step(), 'after copyTo, again');
    weight!.fill(0.25);
    changed();
    expectCurrent(step(), 'after fill');
    expectCurrent(step(), 'after fill, again');
    expect(weightLayoutReorders() - before).toBe(8);
    exec.dispose();
  });

  it('the fused LSTM reorders W_h once per step, not once per time step', () => {
    const [T, N, I, H] = [7, 4, 16, 32];
    const sym = RNN({ data: Variable('data'), mode: 'lstm', stateSize: H, numLayers: 1, name: 'rnn' });
    const bind = (amp?: 'bfloat16'): Executor =>
      Executor.simpleBind(sym, { shapes: { data: [T, N, I] }, gradReq: 'write', ...(amp ? { amp } : {}) });
    const amp = bind('bfloat16');
    const plain = bind();
    for (const n of sym.listArguments()) {
      const v = random.uniform(-0.5, 0.5, amp.argDict[n]!.shape);
      v.copyTo(amp.argDict[n]!);
      v.copyTo(plain.argDict[n]!);
    }
    const before = weightLayoutReorders();
    const got = Float64Array.from(amp.forward({ isTrain: true })[0]!.toArray());
    amp.backward([fromTypedArray(new Float32Array(T * N * H).fill(1), [T, N, H])]);
    // W_x and W_h in one layout for the forward and one for the backward pass (W_h used T times in each).
    expect(weightLayoutReorders() - before).toBe(4);
    const want = Float64Array.from(plain.forward({ isTrain: true })[0]!.toArray());
    expect(relativeError(got, want)).toBeLessThan(2e-2);

    // A new set of parameters is used at once.
    random.uniform(-0.5, 0.5, amp.argDict.rnn_parameters!.shape).copyTo(amp.argDict.rnn_parameters!);
    amp.argDict.rnn_parameters!.copyTo(plain.argDict.rnn_parameters!);
    const got2 = Float64Array.from(amp.forward({ isTrain: true })[0]!.toArray());
    const want2 = Float64Array.from(plain.forward({ isTrain: true })[0]!.toArray());
    expect(relativeError(got2, want2)).toBeLessThan(2e-2);
    expect(relativeError(got2, got)).toBeGreaterThan(0.1);
    expect(weightLayoutReorders() - before).toBe(6);
    amp.dispose();
    plain.dispose();
  });
});
