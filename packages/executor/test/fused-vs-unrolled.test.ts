import { fromTypedArray, random, seed } from '@bkt/ndarray';
import { Variable, type Symbol } from '@bkt/symbol';
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
