// exportONNX → onnxruntime-node: each model's outputs against bkt's inference forward pass, at two
// sizes of the dynamic axis from one exported file.

import { seed } from '@bkt/ndarray';
import { Group, type Symbol, Variable } from '@bkt/symbol';
import { GRUCell } from '@bkt/symbol/rnn';
import { describe, expect, it } from 'vitest';
import { exportONNX } from '../src/index.js';
import { onnx } from '../src/proto.js';
import { VOCAB, cnn, lm, mlp, sequenceMlp } from './models.js';
import { bktForward, type Feed, ortForward, randomParams, relativeError, tokenFeed, uniformFeed } from './helpers.js';

const TOL = 1e-5;

async function expectSame(
  sym: Symbol,
  params: ReturnType<typeof randomParams>,
  model: Uint8Array,
  feeds: Record<string, Feed>,
  extraShapes: Record<string, readonly number[]> = {},
): Promise<void> {
  const want = bktForward(sym, params.argParams, params.auxParams, feeds, extraShapes);
  const got = await ortForward(model, feeds);
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(relativeError(g.data, want[i]!)).toBeLessThanOrEqual(TOL));
}

describe('exportONNX round trip through onnxruntime-node', () => {
  it('an MLP, one file for batch sizes 4 and 7', async () => {
    seed(1);
    const sym = mlp();
    const params = randomParams(sym, { data: [4, 12] });
    const model = exportONNX(sym, params.argParams, params.auxParams, {
      inputShapes: { data: [4, 12] },
      dynamicAxes: { data: { 0: 'batch' } },
    });
    for (const n of [4, 7]) await expectSame(sym, params, model, { data: uniformFeed([n, 12], -1, 1) });
  });

  it('FullyConnected without flatten on 3-D data, one file for sequence lengths 3 and 6', async () => {
    seed(13);
    const sym = sequenceMlp();
    const params = randomParams(sym, { data: [2, 3, 4] });
    const model = exportONNX(sym, params.argParams, params.auxParams, {
      inputShapes: { data: [2, 3, 4] },
      dynamicAxes: { data: { 1: 'seq_len' } },
    });
    for (const t of [3, 6]) await expectSame(sym, params, model, { data: uniformFeed([2, t, 4], -1, 1) });
  });

  it('a CNN with BatchNorm (inference statistics, fixed and learned gamma), batch sizes 2 and 5', async () => {
    seed(2);
    const sym = cnn();
    const params = randomParams(sym, { data: [2, 2, 8, 8] });
    const model = exportONNX(sym, params.argParams, params.auxParams, {
      inputShapes: { data: [2, 2, 8, 8] },
      dynamicAxes: { data: { 0: 'batch' } },
    });
    for (const n of [2, 5]) await expectSame(sym, params, model, { data: uniformFeed([n, 2, 8, 8], -1, 1) });
  });

  it.each(['lstm', 'gru'] as const)(
    'the fused %s LM, one file for sequence lengths 5 and 9 and two batch sizes',
    async (cell) => {
      seed(3);
      const sym = lm(cell, true, 5);
      const params = randomParams(sym, { data: [5, 3], softmax_label: [5, 3] });
      const model = exportONNX(sym, params.argParams, params.auxParams, {
        inputShapes: { data: [5, 3] },
        dynamicAxes: { data: { 0: 'seq_len', 1: 'batch' } },
      });
      for (const [t, n] of [
        [5, 3],
        [9, 2],
      ] as const)
        await expectSame(lm(cell, true, t), params, model, { data: tokenFeed([t, n], VOCAB) }, { softmax_label: [t, n] });
    },
  );

  it.each(['lstm', 'gru'] as const)(
    'the unrolled %s LM, its cells fused into ONNX %s nodes: one file for lengths 4 and 7',
    async (cell) => {
      seed(4);
      const sym = lm(cell, false, 4);
      const params = randomParams(sym, { data: [3, 4], softmax_label: [3, 4] });
      const model = exportONNX(sym, params.argParams, params.auxParams, {
        inputShapes: { data: [3, 4] },
        dynamicAxes: { data: { 0: 'batch', 1: 'seq_len' } },
      });
      const ops = onnx.ModelProto.decode(model).graph!.node!.map((n) => n.opType);
      expect(ops.filter((t) => t === cell.toUpperCase())).toHaveLength(2);
      expect(ops).not.toContain('Split');
      for (const [n, t] of [
        [3, 4],
        [2, 7],
      ] as const)
        await expectSame(lm(cell, false, t), params, model, { data: tokenFeed([n, t], VOCAB) }, { softmax_label: [n, t] });
    },
  );

  it('unrolled cells that are not a merged stack are exported step by step (fixed length)', async () => {
    seed(11);
    const cell = new GRUCell(5, { prefix: 'g_' });
    const { outputs } = cell.unroll(3, Variable('data'), { layout: 'NTC', mergeOutputs: false });
    const sym = Group(outputs as Symbol[]);
    const params = randomParams(sym, { data: [2, 3, 4] });
    const model = exportONNX(sym, params.argParams, params.auxParams, { inputShapes: { data: [2, 3, 4] } });
    expect(onnx.ModelProto.decode(model).graph!.node!.map((n) => n.opType)).toContain('Split');
    await expectSame(sym, params, model, { data: uniformFeed([2, 3, 4], -1, 1) });
  });
});
