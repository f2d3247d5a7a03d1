import { fromTypedArray, random, seed } from '@bkt/ndarray';
import { RNN, Variable, type Symbol } from '@bkt/symbol';
import { FusedRNNCell, type Weight } from '@bkt/symbol/rnn';
import { describe, expect, it } from 'vitest';

import { Executor } from '../src/index.js';

const T = 5;
const N = 3;
const I = 4;
const H = 6;

function bind(sym: Symbol): Executor {
  const names = sym.listArguments();
  return Executor.simpleBind(sym, {
    shapes: { data: [T, N, I] },
    gradReq: Object.fromEntries(names.map((n) => [n, n.includes('begin_state') ? 'null' : 'write'])),
  });
}

const weight = (a: { shape: readonly number[]; toTypedArray(): unknown }): Weight => ({
  shape: [...a.shape],
  data: Float32Array.from(a.toTypedArray() as Float32Array),
});

describe('the fused RNN op equals the unrolled cells with the same weights', () => {
  it.each(['lstm', 'gru'] as const)('%s, 2 layers: outputs, data gradient and weight gradients', (mode) => {
    seed(21);
    const fused = new FusedRNNCell(H, { numLayers: 2, mode, prefix: `${mode}_` });
    const fusedSym = fused.unroll(T, Variable('data'), { layout: 'TNC', mergeOutputs: true }).outputs as Symbol;
    const cells = fused.unfuse();
    const cellsSym = cells.unroll(T, Variable('data'), { layout: 'TNC', mergeOutputs: true }).outputs as Symbol;
    const a = bind(fusedSym);
    const b = bind(cellsSym);

    const packedName = `${mode}_parameters`;
    random.uniform(-0.5, 0.5, a.argDict[packedName]!.shape).copyTo(a.argDict[packedName]!);
    random.uniform(-1, 1, [T, N, I]).copyTo(a.argDict.data!);
    a.argDict.data!.copyTo(b.argDict.data!);
    const perCell = cells.packWeights(fused.unpackWeights({ [packedName]: weight(a.argDict[packedName]!) }));
    for (const [name, w] of Object.entries(perCell)) fromTypedArray(w.data, w.shape).copyTo(b.argDict[name]!);

    a.forward({ isTrain: true });
    b.forward({ isTrain: true });
    const outA = a.outputs[0]!.toArray();
    b.outputs[0]!.toArray().forEach((v, i) => expect(v).toBeCloseTo(outA[i]!, 5));

    const head = random.normal(0, 1, a.outputs[0]!.shape);
    a.backward([head]);
    b.backward([head]);
    const dA = a.gradDict.data!.toArray();
    b.gradDict.data!.toArray().forEach((v, i) => expect(v).toBeCloseTo(dA[i]!, 4));

    const cellGrads = Object.fromEntries(Object.keys(perCell).map((n) => [n, weight(b.gradDict[n]!)]));
    const packedGrad = fused.packWeights(cells.unpackWeights(cellGrads))[packedName]!.data;
    const fusedGrad = a.gradDict[packedName]!.toArray();
    expect(packedGrad.length).toBe(fusedGrad.length);
    packedGrad.forEach((v, i) => expect(v).toBeCloseTo(fusedGrad[i]!, 4));
    a.dispose();
    b.dispose();
  });
});

describe('the float32 fused RNN (vectorized exp) against its float64 path', () => {
  it.each(['lstm', 'gru'] as const)('%s: outputs agree to float32 precision, saturated gates included', (mode) => {
    seed(5);
    const inputs = {
      data: Variable('data'),
      parameters: Variable('parameters'),
      state: Variable('state'),
      ...(mode === 'lstm' ? { state_cell: Variable('state_cell') } : {}),
    };
    const sym = RNN({ ...inputs, mode, stateSize: H, numLayers: 2, name: 'rnn' });
    const states = mode === 'lstm' ? ['state', 'state_cell'] : ['state'];
    const run = (dtype: 'float32' | 'float64', values: Record<string, number[]>): number[] => {
      const dtypes = Object.fromEntries(['data', 'parameters', ...states].map((n) => [n, dtype]));
      const exec = Executor.simpleBind(sym, {
        shapes: { data: [T, N, I], ...Object.fromEntries(states.map((n) => [n, [2, N, H]])) },
        dtypes,
        gradReq: 'null',
      });
      for (const [name, v] of Object.entries(values)) {
        const target = exec.argDict[name]!;
        fromTypedArray(dtype === 'float32' ? Float32Array.from(v) : Float64Array.from(v), target.shape).copyTo(target);
      }
      const out = exec.forward()[0]!.toArray();
      exec.dispose();
      return out;
    };
    const probe = Executor.simpleBind(sym, {
      shapes: { data: [T, N, I], ...Object.fromEntries(states.map((n) => [n, [2, N, H]])) },
      gradReq: 'null',
    });
    // Weights up to ±8 and inputs up to ±20 drive pre-activations far past exp's clamping range.
    const values: Record<string, number[]> = {
      parameters: random.uniform(-8, 8, probe.argDict.parameters!.shape).toArray(),
      data: random.uniform(-20, 20, [T, N, I]).toArray(),
      ...Object.fromEntries(states.map((n) => [n, random.uniform(-1, 1, [2, N, H]).toArray()])),
    };
    probe.dispose();
    const f32 = run('float32', values);
    const f64 = run('float64', values);
    let worst = 0;
    f32.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - f64[i]!))));
    expect(f32.every(Number.isFinite)).toBe(true);
    expect(worst).toBeLessThan(2e-5);
  });
});
