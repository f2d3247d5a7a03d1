import { DTypeError, ValueError } from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';
import { RNN, Symbol, Variable, rnnInputSize, rnnParamSize, type RNNMode } from '../src/index.js';
import { expectInferError, gradientShapes, roundTrip, withOut } from './helpers-2b.js';

const lstm = (o: object = {}): Symbol =>
  RNN({ data: Variable('x'), name: 'rnn', mode: 'lstm', stateSize: 10, numLayers: 2, ...o });

describe('the parameters vector of RNN', () => {
  // Counted by hand, matrix by matrix: per layer and direction, each gate has an i2h matrix
  // (10 × input: 7 for layer 0, 10·directions above), an h2h matrix (10 × 10) and two biases of 10.
  const expected: Record<string, number[]> = {
    // layers 1, 2, 3 one direction, then layers 1, 2, 3 bidirectional
    lstm: [760, 1640, 2520, 1520, 4080, 6640],
    gru: [570, 1230, 1890, 1140, 3060, 4980],
    rnn_tanh: [190, 410, 630, 380, 1020, 1660],
    rnn_relu: [190, 410, 630, 380, 1020, 1660],
  };

  it('has MXNet’s length for every mode, 1 to 3 layers, one or two directions', () => {
    for (const [mode, sizes] of Object.entries(expected)) {
      const got = [false, true].flatMap((bidirectional) =>
        [1, 2, 3].map((numLayers) =>
          rnnParamSize({ mode: mode as RNNMode, numLayers, bidirectional, stateSize: 10, inputSize: 7 }),
        ),
      );
      expect(got, mode).toEqual(sizes);
    }
    expect(rnnParamSize({ mode: 'lstm', numLayers: 2, bidirectional: false, stateSize: 200, inputSize: 200 })).toBe(643200);
  });

  it('gives back the input size, or nothing when no input size fits', () => {
    const layout = { mode: 'gru' as const, numLayers: 3, bidirectional: true, stateSize: 10 };
    expect(rnnInputSize(layout, 4980)).toBe(7);
    expect(rnnInputSize(layout, 4981)).toBeUndefined();
    expect(rnnInputSize(layout, 4980 - 7 * 60)).toBeUndefined();
  });

  it('adds the projection matrices of LSTMP', () => {
    // Layer 0: 4 gates × 10 rows × (input 7 + projection 4 + 2) = 520, plus the 4 × 10 projection.
    expect(
      rnnParamSize({ mode: 'lstm', numLayers: 1, bidirectional: false, stateSize: 10, inputSize: 7, projectionSize: 4 }),
    ).toBe(560);
  });
});

describe('RNN shapes', () => {
  it('lists its inputs and outputs per mode', () => {
    expect(lstm().listArguments()).toEqual(['x', 'rnn_parameters', 'rnn_state', 'rnn_state_cell']);
    expect(lstm().listOutputs()).toEqual(['rnn_output']);
    expect(lstm({ stateOutputs: true }).listOutputs()).toEqual(['rnn_output', 'rnn_state_output', 'rnn_statecell_output']);
    const gru = RNN({
      data: Variable('x'),
      name: 'g',
      mode: 'gru',
      stateSize: 4,
      numLayers: 1,
      stateOutputs: true,
      useSequenceLength: true,
    });
    expect(gru.listArguments()).toEqual(['x', 'g_parameters', 'g_state', 'g_sequence_length']);
    expect(gru.listOutputs()).toEqual(['g_output', 'g_state_output']);
  });

  it('infers parameters, states and outputs from data (T, N, C)', () => {
    const r = lstm({ bidirectional: true, stateOutputs: true }).inferShape({ x: [5, 3, 7] });
    expect(r.argShapes).toEqual([[5, 3, 7], [4080], [4, 3, 10], [4, 3, 10]]);
    expect(r.outShapes).toEqual([
      [5, 3, 20],
      [4, 3, 10],
      [4, 3, 10],
    ]);
  });

  it('infers the input size from the parameters and T, N from the output', () => {
    const r = withOut(lstm()).inferShape({ y: [5, 3, 10], rnn_parameters: [1640] });
    expect(r.argShapes[0]).toEqual([5, 3, 7]);
    const n = lstm().inferShapePartial({ rnn_state: [2, 8, 10] });
    expect(n.argShapes[0]).toEqual([0, 8, 0]);
  });

  it('names node and op on a parameters vector of the wrong length', () => {
    const bad = (known: Record<string, number[]>, what: RegExp): void =>
      expectInferError(() => lstm().inferShape(known), 'RNN', 'rnn', what);
    bad(
      { x: [5, 3, 7], rnn_parameters: [1641] },
      /inconsistent shape for input 'parameters': have \(1641,\), inferred \(1640,\)/,
    );
    bad({ rnn_parameters: [1641] }, /no input size fits a parameters vector of 1641/);
    bad({ x: [5, 7] }, /data must be \(sequence length, batch size, input size\)/);
    bad({ x: [5, 3, 7], rnn_state: [2, 4, 10] }, /inconsistent shape for input 'state'/);
    expect(() => RNN({ data: Variable('x'), mode: 'lstm', stateSize: 10 } as never)).toThrow(ValueError);
  });

  it('sizes the recurrent state by the projection', () => {
    const r = lstm({ numLayers: 1, projectionSize: 4 }).inferShape({ x: [5, 3, 7] });
    expect(r.argShapes).toEqual([[5, 3, 7], [560], [1, 3, 4], [1, 3, 10]]);
    expect(r.outShapes).toEqual([[5, 3, 4]]);
  });
});

describe('RNN types, JSON and gradient', () => {
  it('types everything alike but sequence_length', () => {
    const s = RNN({ data: Variable('x'), name: 'g', mode: 'gru', stateSize: 4, numLayers: 1, useSequenceLength: true });
    expect(s.inferType({ x: 'float64' }).argTypes).toEqual(['float64', 'float64', 'float64', 'float64']);
    expect(s.inferType({ x: 'float64', g_sequence_length: 'int32' }).argTypes).toEqual([
      'float64',
      'float64',
      'float64',
      'int32',
    ]);
    expectInferError(() => s.inferType({ x: 'float64', g_state: 'float32' }), 'RNN', 'g', /inconsistent type/, DTypeError);
  });

  it('round-trips its attributes as MXNet strings', () => {
    const s = lstm({ bidirectional: true, p: 0.2, stateOutputs: true, lstmStateClipMin: -5, lstmStateClipMax: 5 });
    expect(roundTrip(s, 'rnn')).toEqual({
      bidirectional: 'True',
      lstm_state_clip_max: '5',
      lstm_state_clip_min: '-5',
      mode: 'lstm',
      num_layers: '2',
      p: '0.2',
      state_outputs: 'True',
      state_size: '10',
    });
    const gluonStyle = RNN({
      data: Variable('x'),
      name: 'r',
      mode: 'rnn_tanh',
      stateSize: 3,
      numLayers: 1,
      projectionSize: null,
    });
    expect(roundTrip(gluonStyle, 'r').projection_size).toBe('None');
  });

  it('differentiates data, parameters and states in one backward node', () => {
    const s = lstm({ stateOutputs: true });
    const wrt = ['x', 'rnn_parameters', 'rnn_state', 'rnn_state_cell'];
    expect(gradientShapes(s.at(0), wrt, { x: [4, 2, 7] })).toContain('_backward_RNN');
    const g = s.gradient(wrt);
    const bwd = g.outputs[0]!.node;
    expect(bwd.op!.name).toBe('_backward_RNN');
    expect(g.outputs.every((e) => e.node === bwd)).toBe(true);
    expect(bwd.inputs.map((e) => e.node.outputName(e.index))).toEqual([
      'x',
      'rnn_parameters',
      'rnn_state',
      'rnn_state_cell',
      'rnn_output',
      'rnn_workspace',
      'rnn_output_head_grad',
      'rnn_state_output_head_grad',
      'rnn_statecell_output_head_grad',
    ]);
    // The workspace is a hidden output: it is computed and read by backward, never listed.
    expect(s.listOutputs()).toEqual(['rnn_output', 'rnn_state_output', 'rnn_statecell_output']);
    expect(s.inferShape({ x: [4, 2, 7] }).outShapes).toHaveLength(3);
  });
});
