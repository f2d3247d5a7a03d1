// Packing and unpacking RNN weights: fused `parameters` vector ↔ per-gate arrays ↔ the unfused
// cells' i2h/h2h matrices, as MXNet's save_rnn_checkpoint / load_rnn_checkpoint convert them.
import { ShapeError, ValueError } from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';
import { Variable, rnnParamSize } from '../src/index.js';
import { FusedRNNCell, GRUCell, LSTMCell, type Weight } from '../src/rnn/index.js';

const arange = (shape: number[], start = 0): Weight => {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float32Array.from({ length: n }, (_, i) => start + i) };
};
const values = (w: Weight | undefined): number[] => [...(w?.data ?? [])];
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('gate cells', () => {
  it('cut i2h/h2h rows into gates i, f, c, o and join them back', () => {
    const cell = new LSTMCell(2, { prefix: 'p_' });
    const args = {
      p_i2h_weight: arange([8, 3]),
      p_i2h_bias: arange([8], 100),
      p_h2h_weight: arange([8, 2], 200),
      p_h2h_bias: arange([8], 300),
      other: arange([1]),
    };
    const un = cell.unpackWeights(args);
    expect(Object.keys(un).sort()).toEqual(
      [
        'other',
        ...['i2h', 'h2h'].flatMap((g) => ['_i', '_f', '_c', '_o'].flatMap((k) => [`p_${g}${k}_weight`, `p_${g}${k}_bias`])),
      ].sort(),
    );
    expect(un.p_i2h_f_weight).toEqual({ shape: [2, 3], data: Float32Array.from(range(6, 12)) });
    expect(values(un.p_h2h_o_bias)).toEqual([306, 307]);
    expect(args.p_i2h_weight.data.length).toBe(24);
    const back = cell.packWeights(un);
    expect(back).toEqual(args);
  });

  it('name the missing array and refuse arrays that do not cut', () => {
    const gru = new GRUCell(2);
    expect(() => gru.unpackWeights({ gru_i2h_weight: arange([6, 2]) })).toThrow(/weight 'gru_i2h_bias' is missing/);
    expect(() => gru.unpackWeights({ gru_i2h_weight: arange([5, 2]), gru_i2h_bias: arange([6]) })).toThrow(ShapeError);
    expect(() => gru.unpackWeights({ gru_i2h_weight: { shape: [6, 2], data: new Float32Array(3) } })).toThrow(
      /3 values for shape \(6, 2\)/,
    );
  });
});

describe('FusedRNNCell weights', () => {
  // H 2, input 3, 2 layers, both directions, LSTM: layer 0 has per direction 4 i2h (2×3) and
  // 4 h2h (2×2) matrices, 40 values; layer 1 4 i2h (2×4) and 4 h2h, 48; then 64 biases.
  const fused = new FusedRNNCell(2, { numLayers: 2, bidirectional: true });
  const total = rnnParamSize({ mode: 'lstm', numLayers: 2, bidirectional: true, stateSize: 2, inputSize: 3 });

  it('lay all weights first, layer by layer and direction by direction, then all biases', () => {
    expect(total).toBe(240);
    const un = fused.unpackWeights({ lstm_parameters: arange([total]) });
    expect(Object.keys(un)).toHaveLength(64);
    expect(un.lstm_l0_i2h_i_weight).toEqual({ shape: [2, 3], data: Float32Array.from(range(0, 6)) });
    expect(values(un.lstm_l0_i2h_f_weight)).toEqual(range(6, 12));
    expect(values(un.lstm_l0_h2h_i_weight)).toEqual(range(24, 28));
    expect(values(un.lstm_r0_i2h_i_weight)).toEqual(range(40, 46));
    expect(un.lstm_l1_i2h_i_weight).toEqual({ shape: [2, 4], data: Float32Array.from(range(80, 88)) });
    expect(values(un.lstm_r1_h2h_o_weight)).toEqual(range(172, 176));
    expect(values(un.lstm_l0_i2h_i_bias)).toEqual([176, 177]);
    expect(values(un.lstm_l0_h2h_i_bias)).toEqual([184, 185]);
    expect(values(un.lstm_r1_h2h_o_bias)).toEqual([238, 239]);
  });

  it('convert to the unfused cells’ parameters, with their names and shapes, and back', () => {
    const packed = arange([total]);
    const unfused = fused.unfuse();
    const cells = unfused.packWeights(fused.unpackWeights({ lstm_parameters: packed }));
    const sym = unfused.unroll(3, Variable('data'), { layout: 'TNC', mergeOutputs: true }).outputs;
    const shapes = sym.inferShape({ data: [3, 5, 3] });
    const params = sym.listArguments().slice(1);
    expect(Object.keys(cells).sort()).toEqual([...params].sort());
    params.forEach((name, i) => expect(cells[name]!.shape, name).toEqual(shapes.argShapes[i + 1]));
    // The i2h matrix of layer 0 stacks the gates' rows: i (0..5), f (6..11), c, o.
    expect(values(cells.lstm_l0_i2h_weight).slice(0, 12)).toEqual(range(0, 12));
    expect(fused.packWeights(unfused.unpackWeights(cells))).toEqual({ lstm_parameters: packed });
  });

  it('refuse a vector that fits no input size and a weight of the wrong shape', () => {
    expect(() => fused.unpackWeights({ lstm_parameters: arange([total + 1]) })).toThrow(/241 values, which fits no input size/);
    const un = fused.unpackWeights({ lstm_parameters: arange([total]) });
    expect(() => fused.packWeights({ ...un, lstm_l1_h2h_c_weight: arange([2, 3]) })).toThrow(
      /'lstm_l1_h2h_c_weight' has shape \(2, 3\), expected \(2, 2\)/,
    );
    const { lstm_l0_i2h_i_weight: _, ...rest } = un;
    expect(() => fused.packWeights(rest)).toThrow(ValueError);
  });
});
