// importONNX reads back what exportONNX wrote: the imported symbol and parameters compute the same
// outputs in bkt as the original model.

import { FormatError, ValueError, seed } from '@bkt/ndarray';
import { Concat, type Symbol, Variable, expand_dims } from '@bkt/symbol';
import { LSTMCell } from '@bkt/symbol/rnn';
import { describe, expect, it } from 'vitest';
import { exportONNX, importONNX } from '../src/index.js';
import { floatTensor, onnx } from '../src/proto.js';
import { bktForward, type Feed, randomParams, relativeError, tokenFeed, uniformFeed } from './helpers.js';
import { VOCAB, cnn, lm, mlp, sequenceMlp } from './models.js';

function expectSameAfterImport(sym: Symbol, shapes: Record<string, number[]>, data: Feed, dynamicAxes = {}): void {
  const params = randomParams(sym, shapes);
  const bytes = exportONNX(sym, params.argParams, params.auxParams, { inputShapes: { data: [...data.shape] }, dynamicAxes });
  const imported = importONNX(bytes);
  expect(imported.inputs.map((i) => i.name)).toEqual(['data']);
  const extra = Object.fromEntries(Object.entries(shapes).filter(([k]) => k !== 'data'));
  const want = bktForward(sym, params.argParams, params.auxParams, { data }, extra);
  const got = bktForward(imported.symbol, imported.argParams, imported.auxParams, { data });
  expect(relativeError(got[0]!, want[0]!)).toBeLessThanOrEqual(1e-5);
}

describe('importONNX of exported models', () => {
  it('MLP', () => {
    seed(7);
    expectSameAfterImport(mlp(), { data: [4, 12] }, uniformFeed([4, 12], -1, 1));
  });

  it('FullyConnected without flatten (MatMul by a transposed constant, Add of the bias)', () => {
    seed(14);
    expectSameAfterImport(sequenceMlp(), { data: [2, 3, 4] }, uniformFeed([2, 3, 4], -1, 1));
  });

  it('CNN with BatchNorm (moving statistics become auxiliary states)', () => {
    seed(8);
    const sym = cnn();
    const params = randomParams(sym, { data: [2, 2, 8, 8] });
    const imported = importONNX(exportONNX(sym, params.argParams, params.auxParams, { inputShapes: { data: [2, 2, 8, 8] } }));
    expect(Object.keys(imported.auxParams).length).toBe(4);
    expectSameAfterImport(sym, { data: [2, 2, 8, 8] }, uniformFeed([2, 2, 8, 8], -1, 1));
  });

  it.each(['lstm', 'gru'] as const)('fused %s LM (one RNN op per layer, gates put back in MXNet order)', (cell) => {
    seed(9);
    expectSameAfterImport(lm(cell, true, 6), { data: [6, 2], softmax_label: [6, 2] }, tokenFeed([6, 2], VOCAB), {
      data: { 0: 'seq_len' },
    });
  });

  it.each(['lstm', 'gru'] as const)('unrolled %s LM (exported fused, with transposes around the RNN)', (cell) => {
    seed(10);
    expectSameAfterImport(lm(cell, false, 3), { data: [2, 3], softmax_label: [2, 3] }, tokenFeed([2, 3], VOCAB), {
      data: { 1: 'seq_len' },
    });
  });

  it('unrolled LSTM steps exported one by one (Split, Squeeze, Unsqueeze, Concat, ConstantOfShape, Gemm)', () => {
    seed(12);
    const { outputs } = new LSTMCell(5, { prefix: 'c_' }).unroll(3, Variable('data'), { layout: 'NTC', mergeOutputs: false });
    const steps = outputs as Symbol[];
    const sym = Concat({ data: steps.map((h, t) => expand_dims({ data: h, axis: 1, name: `e${t}` })), dim: 2, name: 'all' });
    expectSameAfterImport(sym, { data: [2, 3, 4] }, uniformFeed([2, 3, 4], -1, 1));
  });
});

describe('importONNX errors', () => {
  it('bytes that are not a model are a FormatError; a non-Uint8Array a ValueError', () => {
    expect(() => importONNX(Uint8Array.of(0xff, 0xff, 0xff, 0xff))).toThrow(FormatError);
    expect(() => importONNX('model.onnx' as never)).toThrow(ValueError);
  });

  it('an op type without a mapping names the node and the op type; old opsets are refused', () => {
    const graph = onnx.GraphProto.create({
      node: [onnx.NodeProto.create({ opType: 'Hardmax', name: 'hm', input: ['x'], output: ['y'] })],
      input: [onnx.ValueInfoProto.create({ name: 'x' })],
      output: [onnx.ValueInfoProto.create({ name: 'y' })],
    });
    const model = (version: number) =>
      onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version }], graph })).finish();
    expect(() => importONNX(model(13))).toThrow(/Hardmax node 'hm' has no bkt mapping/);
    expect(() => importONNX(model(11))).toThrow(/opset 11 of the default domain; opset 13 or later is read/);
  });

  it('mappings refuse attributes bkt cannot honour, naming the node', () => {
    const f = (name: string, dims: number[]) =>
      floatTensor(name, dims, new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(0.1));
    const model = (node: ReturnType<typeof onnx.NodeProto.create>, initializer: ReturnType<typeof floatTensor>[]) =>
      onnx.ModelProto.encode(
        onnx.ModelProto.create({
          irVersion: 8,
          opsetImport: [{ domain: '', version: 13 }],
          graph: onnx.GraphProto.create({
            node: [node],
            initializer,
            input: [onnx.ValueInfoProto.create({ name: 'x' })],
            output: [onnx.ValueInfoProto.create({ name: 'y' })],
          }),
        }),
      ).finish();
    const attr = (name: string, v: number | number[]) =>
      Array.isArray(v)
        ? onnx.AttributeProto.create({ name, type: 7, ints: v })
        : onnx.AttributeProto.create({ name, type: 2, i: v });
    const gru = onnx.NodeProto.create({
      opType: 'GRU',
      name: 'g',
      input: ['x', 'W', 'R'],
      output: ['y'],
      attribute: [attr('hidden_size', 2)],
    });
    expect(() => importONNX(model(gru, [f('W', [1, 6, 3]), f('R', [1, 6, 2])]))).toThrow(/GRU node 'g': linear_before_reset=0/);
    const conv = onnx.NodeProto.create({
      opType: 'Conv',
      name: 'c',
      input: ['x', 'W'],
      output: ['y'],
      attribute: [attr('pads', [0, 0, 1, 1])],
    });
    expect(() => importONNX(model(conv, [f('W', [2, 1, 3, 3])]))).toThrow(
      /Conv node 'c': pads \[0,0,1,1\] are not the same at both ends/,
    );
    const gather = onnx.NodeProto.create({ opType: 'Gather', name: 'ga', input: ['x', 'x'], output: ['y'] });
    expect(() => importONNX(model(gather, []))).toThrow(/Gather node 'ga': only Gather from a constant 2-D table/);
  });
});
