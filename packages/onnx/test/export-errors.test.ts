// exportONNX refuses what it cannot write faithfully, with typed errors naming what is wrong.

import { ValueError, random, seed } from '@bkt/ndarray';
import { FullyConnected, Group, LeakyReLU, SoftmaxOutput, Variable, createSymbol, getOp } from '@bkt/symbol';
import { LSTMCell } from '@bkt/symbol/rnn';
import { describe, expect, it } from 'vitest';
import { exportONNX } from '../src/index.js';

function net() {
  const fc = FullyConnected({ data: Variable('data'), name: 'fc', numHidden: 3 });
  return SoftmaxOutput({ data: fc, name: 'softmax' });
}

const params = () => ({ fc_weight: random.uniform(-1, 1, [3, 4]), fc_bias: random.uniform(-1, 1, [3]) });

describe('exportONNX errors', () => {
  it('an operator without a mapping names the node and the op', () => {
    const sym = LeakyReLU({
      data: FullyConnected({ data: Variable('data'), name: 'fc', numHidden: 3 }),
      name: 'lrelu',
      actType: 'rrelu',
    });
    expect(() => exportONNX(sym, params(), {}, { inputShapes: { data: [2, 4] } })).toThrow(ValueError);
    expect(() => exportONNX(sym, params(), {}, { inputShapes: { data: [2, 4] } })).toThrow(
      /LeakyReLU 'lrelu' has no ONNX mapping/,
    );
  });

  it('options are checked: unknown keys, opset range, shapes, dynamic axes', () => {
    seed(5);
    const p = params();
    const bad = (o: object) => () => exportONNX(net(), p, {}, o as never);
    expect(bad({ inputShapes: { data: [2, 4] }, opsett: 13 })).toThrow(/unknown option 'opsett'/);
    expect(bad({ inputShapes: { data: [2, 4] }, opset: 12 })).toThrow(/opset must be an integer from 13 to 15, got 12/);
    expect(bad({ inputShapes: { data: [2, 4] }, opset: Number.NaN })).toThrow(ValueError);
    expect(bad({ inputShapes: { data: [2, 0] } })).toThrow(/inputShapes.data must be a non-empty array of positive integers/);
    expect(bad({ inputShapes: { dat: [2, 4] } })).toThrow(/the symbol has no input 'dat'/);
    expect(bad({ inputShapes: { data: [2, 4] }, dynamicAxes: { data: { 2: 'x' } } })).toThrow(
      /axis 2 is not an axis of shape \[2,4\]/,
    );
    expect(bad({ inputShapes: { data: [2, 4] }, dynamicAxes: { label: { 0: 'x' } } })).toThrow(/'label' is not in inputShapes/);
  });

  it('parameters must be float32 NDArrays and every variable must have a value', () => {
    const p = params();
    expect(() =>
      exportONNX(net(), { ...p, fc_bias: p.fc_bias.astype('float64') }, {}, { inputShapes: { data: [2, 4] } }),
    ).toThrow(/fc_bias is float64/);
    expect(() => exportONNX(net(), { fc_weight: p.fc_weight }, {}, { inputShapes: { data: [2, 4] } })).toThrow(
      /variable 'fc_bias' is neither a parameter/,
    );
  });

  it('a shape baked into the graph cannot follow a dynamic axis', () => {
    // unmerged outputs: the cells are not fused and export step by step
    const cell = new LSTMCell(4, { prefix: 'l0_' });
    const { outputs } = cell.unroll(2, Variable('data'), { layout: 'NTC', mergeOutputs: false });
    const sym = Group(outputs as ReturnType<typeof Variable>[]);
    const shapes = sym.inferShape({ data: [3, 2, 5] });
    const argParams = Object.fromEntries(
      sym
        .listArguments()
        .map((n, i) => [n, random.uniform(-1, 1, shapes.argShapes[i]!)])
        .filter(([n]) => n !== 'data'),
    );
    expect(() =>
      exportONNX(sym, argParams, {}, { inputShapes: { data: [3, 2, 5] }, dynamicAxes: { data: { 0: 'batch' } } }),
    ).toThrow(/_zeros 'l0_begin_state_0': a _zeros constant needs a static output shape/);
    expect(() =>
      exportONNX(sym, argParams, {}, { inputShapes: { data: [3, 2, 5] }, dynamicAxes: { data: { 1: 'seq_len' } } }),
    ).toThrow(/the graph does not allow the dynamic axes asked for \(data\): SliceChannel/);
  });

  it('mappings refuse what ONNX cannot express the same way, naming the node', () => {
    seed(15);
    const op = (name: string, args: Record<string, unknown>) => createSymbol(getOp(name), name, args);
    const data = Variable('data');
    const refuse = (sym: ReturnType<typeof Variable>, shape: number[], pattern: RegExp) => {
      const shapes = sym.inferShape({ data: shape });
      const argParams = Object.fromEntries(
        sym
          .listArguments()
          .map((n, i) => [n, random.uniform(0.5, 1, shapes.argShapes[i]!)])
          .filter(([n]) => n !== 'data'),
      );
      const auxParams = Object.fromEntries(
        sym.listAuxiliaryStates().map((n, i) => [n, random.uniform(0.5, 1, shapes.auxShapes[i]!)]),
      );
      expect(() => exportONNX(sym, argParams, auxParams, { inputShapes: { data: shape } })).toThrow(pattern);
    };
    refuse(
      op('Pooling', { data, name: 'p', poolType: 'sum', kernel: [2, 2] }),
      [1, 2, 4, 4],
      /Pooling 'p': pool_type 'sum' is not exported/,
    );
    refuse(
      op('BatchNorm', { data, name: 'bn', axis: 2 }),
      [2, 3, 4],
      /BatchNorm 'bn': axis 2: ONNX BatchNormalization normalizes axis 1 only/,
    );
    const lstm = op('RNN', {
      data,
      name: 'r',
      parameters: Variable('p'),
      state: op('_zeros', { shape: [1, 0, 4] }),
      state_cell: op('_zeros', { shape: [1, 0, 4] }),
      stateSize: 4,
      numLayers: 1,
      mode: 'lstm',
      lstmStateClipMin: -1,
      lstmStateClipMax: 1,
    });
    refuse(lstm, [3, 2, 5], /RNN 'r': lstm_state_clip_min\/max have no ONNX form/);
  });
});
