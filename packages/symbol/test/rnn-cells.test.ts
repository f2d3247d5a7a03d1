// Ports of the structural tests of MXNet's tests/python/unittest/test_rnn.py, and the
// cells' own behaviour: naming, layouts, states, modifiers.
import { ValueError } from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';
import { Group, NameManager, Symbol, Variable, topoOrder, withNameManager } from '../src/index.js';
import {
  BidirectionalCell,
  DropoutCell,
  FusedRNNCell,
  GRUCell,
  LSTMCell,
  RNNCell,
  RNNParams,
  ResidualCell,
  SequentialRNNCell,
  ZoneoutCell,
  variableState,
  type BaseRNNCell,
} from '../src/rnn/index.js';
import { gradientShapes } from './helpers-2b.js';

const stepInputs = (n: number): Symbol[] => Array.from({ length: n }, (_, i) => Variable(`rnn_t${i}_data`));
const known = (n: number, shape = [10, 50]): Record<string, number[]> =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`rnn_t${i}_data`, shape]));
const sortedKeys = (c: BaseRNNCell): string[] => c.params.keys().sort();
const opNodes = (s: Symbol): string[] => topoOrder(s.outputs).flatMap((n) => (n.op ? [`${n.op.name}:${n.name}`] : []));
const fresh = <T>(fn: () => T): T => withNameManager(new NameManager(), fn);

const PARAMS = ['rnn_h2h_bias', 'rnn_h2h_weight', 'rnn_i2h_bias', 'rnn_i2h_weight'];

describe('test_rnn.py', () => {
  for (const [what, make] of [
    ['test_rnn', () => new RNNCell(100, { prefix: 'rnn_' })],
    ['test_lstm', () => new LSTMCell(100, { prefix: 'rnn_', forgetBias: 1 })],
    ['test_gru', () => new GRUCell(100, { prefix: 'rnn_' })],
  ] as const) {
    it(what, () => {
      const cell = make();
      const { outputs } = cell.unroll(3, stepInputs(3));
      const group = Group(outputs as Symbol[]);
      expect(sortedKeys(cell)).toEqual(PARAMS);
      expect(group.listOutputs()).toEqual(['rnn_t0_out_output', 'rnn_t1_out_output', 'rnn_t2_out_output']);
      expect(group.inferShape(known(3)).outShapes).toEqual([
        [10, 100],
        [10, 100],
        [10, 100],
      ]);
    });
  }

  it('test_lstm_forget_bias: the i2h bias carries LSTMBias(forget_bias)', () => {
    const stack = new SequentialRNNCell();
    stack.add(new LSTMCell(100, { forgetBias: 2, prefix: 'l0_' }));
    stack.add(new LSTMCell(100, { forgetBias: 2, prefix: 'l1_' }));
    const { outputs } = stack.unroll(1, Variable('data'), { mergeOutputs: true });
    const bias = outputs.listArguments().find((a) => a.endsWith('i2h_bias'))!;
    expect(bias).toBe('l0_i2h_bias');
    const node = topoOrder(outputs.outputs).find((n) => n.name === bias)!;
    expect(node.attrs.__init__).toBe('["lstmbias", {"forget_bias": 2.0}]');
    const r = outputs.inferShape({ data: [32, 1, 200] });
    expect(r.argShapes[outputs.listArguments().indexOf(bias)]).toEqual([400]);
    expect(r.outShapes).toEqual([[32, 1, 100]]);
  });

  it('test_residual', () => {
    const cell = new ResidualCell(new GRUCell(50, { prefix: 'rnn_' }));
    const group = Group(cell.unroll(2, stepInputs(2)).outputs as Symbol[]);
    expect(sortedKeys(cell)).toEqual(PARAMS);
    expect(group.listOutputs()).toEqual(['rnn_t0_out_plus_residual_output', 'rnn_t1_out_plus_residual_output']);
    expect(group.inferShape(known(2)).outShapes).toEqual([
      [10, 50],
      [10, 50],
    ]);
  });

  it('test_residual_bidirectional', () => {
    const cell = new ResidualCell(
      new BidirectionalCell(new GRUCell(25, { prefix: 'rnn_l_' }), new GRUCell(25, { prefix: 'rnn_r_' })),
    );
    const { outputs } = cell.unroll(2, stepInputs(2), { mergeOutputs: false });
    const group = Group(outputs);
    expect(sortedKeys(cell)).toEqual([
      'rnn_l_h2h_bias',
      'rnn_l_h2h_weight',
      'rnn_l_i2h_bias',
      'rnn_l_i2h_weight',
      'rnn_r_h2h_bias',
      'rnn_r_h2h_weight',
      'rnn_r_i2h_bias',
      'rnn_r_i2h_weight',
    ]);
    expect(group.listOutputs()).toEqual(['bi_t0_plus_residual_output', 'bi_t1_plus_residual_output']);
    expect(group.inferShape(known(2)).outShapes).toEqual([
      [10, 50],
      [10, 50],
    ]);
  });

  it('test_stack', () => {
    const cell = new SequentialRNNCell();
    for (let i = 0; i < 5; i++) {
      const lstm = new LSTMCell(100, { prefix: `rnn_stack${i}_` });
      cell.add(i === 1 ? new ResidualCell(lstm) : lstm);
    }
    const group = Group(cell.unroll(3, stepInputs(3)).outputs as Symbol[]);
    const keys = sortedKeys(cell);
    for (let i = 0; i < 5; i++) {
      for (const p of ['h2h_weight', 'h2h_bias', 'i2h_weight', 'i2h_bias']) expect(keys).toContain(`rnn_stack${i}_${p}`);
    }
    expect(group.listOutputs()).toEqual(['rnn_stack4_t0_out_output', 'rnn_stack4_t1_out_output', 'rnn_stack4_t2_out_output']);
    expect(group.inferShape(known(3)).outShapes).toEqual([
      [10, 100],
      [10, 100],
      [10, 100],
    ]);
  });

  it('test_bidirectional', () => {
    const cell = new BidirectionalCell(new LSTMCell(100, { prefix: 'rnn_l0_' }), new LSTMCell(100, { prefix: 'rnn_r0_' }), {
      outputPrefix: 'rnn_bi_',
    });
    const group = Group(cell.unroll(3, stepInputs(3)).outputs as Symbol[]);
    expect(group.listOutputs()).toEqual(['rnn_bi_t0_output', 'rnn_bi_t1_output', 'rnn_bi_t2_output']);
    expect(group.inferShape(known(3)).outShapes).toEqual([
      [10, 200],
      [10, 200],
      [10, 200],
    ]);
  });

  it('test_zoneout', () => {
    const cell = new ZoneoutCell(new RNNCell(100, { prefix: 'rnn_' }), { zoneoutOutputs: 0.5, zoneoutStates: 0.5 });
    const { outputs, states } = cell.unroll(3, stepInputs(3));
    const group = Group(outputs as Symbol[]);
    expect(group.inferShape(known(3)).outShapes).toEqual([
      [10, 100],
      [10, 100],
      [10, 100],
    ]);
    // A masked choice for the output and the state of every step.
    const ops = opNodes(Group([group, ...states]));
    expect(ops.filter((o) => o.startsWith('where:'))).toHaveLength(6);
    expect(ops.filter((o) => o.startsWith('Dropout:'))).toHaveLength(6);
  });

  it('test_unfuse', () => {
    const fused = new FusedRNNCell(100, { numLayers: 3, mode: 'lstm', prefix: 'test_', bidirectional: true, dropout: 0.5 });
    const cell = fused.unfuse();
    const group = Group(cell.unroll(3, stepInputs(3)).outputs as Symbol[]);
    expect(group.listOutputs()).toEqual(['test_bi_l2_t0_output', 'test_bi_l2_t1_output', 'test_bi_l2_t2_output']);
    expect(group.inferShape(known(3)).outShapes).toEqual([
      [10, 200],
      [10, 200],
      [10, 200],
    ]);
    expect(cell.cells.map((c) => c.constructor.name)).toEqual([
      'BidirectionalCell',
      'DropoutCell',
      'BidirectionalCell',
      'DropoutCell',
      'BidirectionalCell',
    ]);
    expect(cell.cells[1]!.prefix).toBe('test__dropout0_');
  });
});

describe('fused and unfused cells', () => {
  it('name their arguments as MXNet does', () => {
    const fused = new FusedRNNCell(100, { numLayers: 2, bidirectional: true });
    const data = Variable('data');
    const f = fused.unroll(3, data, { layout: 'TNC', mergeOutputs: true });
    expect(f.outputs.listArguments()).toEqual(['data', 'lstm_parameters']);
    const rnnNode = topoOrder(f.outputs.outputs).find((n) => n.op?.name === 'RNN')!;
    expect(rnnNode.name).toBe('lstm_rnn');
    expect(rnnNode.inputs.map((e) => e.node.name)).toEqual([
      'data',
      'lstm_parameters',
      'lstm_begin_state_0',
      'lstm_begin_state_1',
    ]);
    expect(rnnNode.attrs).toEqual({
      bidirectional: 'True',
      mode: 'lstm',
      num_layers: '2',
      p: '0',
      state_outputs: 'False',
      state_size: '100',
    });

    const unfused = fused.unfuse().unroll(3, data, { layout: 'TNC', mergeOutputs: true });
    const args = unfused.outputs.listArguments();
    expect(args).toEqual([
      'data',
      'lstm_l0_i2h_weight',
      'lstm_l0_i2h_bias',
      'lstm_l0_h2h_weight',
      'lstm_l0_h2h_bias',
      'lstm_r0_i2h_weight',
      'lstm_r0_i2h_bias',
      'lstm_r0_h2h_weight',
      'lstm_r0_h2h_bias',
      'lstm_l1_i2h_weight',
      'lstm_l1_i2h_bias',
      'lstm_l1_h2h_weight',
      'lstm_l1_h2h_bias',
      'lstm_r1_i2h_weight',
      'lstm_r1_i2h_bias',
      'lstm_r1_h2h_weight',
      'lstm_r1_h2h_bias',
    ]);
    // Same output either way: (T, N, 2H).
    expect(f.outputs.inferShape({ data: [3, 4, 7] }).outShapes).toEqual([[3, 4, 200]]);
    expect(unfused.outputs.inferShape({ data: [3, 4, 7] }).outShapes).toEqual([[3, 4, 200]]);
  });

  it('initialize the packed vector with MXNet’s FusedRNN initializer', () => {
    const fused = new FusedRNNCell(8, { mode: 'gru', numLayers: 2, forgetBias: 0.5, prefix: 'g_' });
    const { outputs } = fused.unroll(2, Variable('x'), { layout: 'TNC', mergeOutputs: true });
    const param = topoOrder(outputs.outputs).find((n) => n.name === 'g_parameters')!;
    expect(param.attrs.__init__).toBe(
      '["fusedrnn", {"init": null, "num_hidden": 8, "num_layers": 2, "mode": "gru", "bidirectional": false, "forget_bias": 0.5}]',
    );
  });

  it('swap an NTC sequence into the RNN operator and back, and return LNC states', () => {
    const fused = new FusedRNNCell(6, { mode: 'rnn_tanh', numLayers: 3, getNextState: true });
    const { outputs, states } = fused.unroll(5, Variable('x'), { mergeOutputs: true });
    const r = Group([outputs, ...states]).inferShape({ x: [4, 5, 3] });
    expect(r.outShapes).toEqual([
      [4, 5, 6],
      [3, 4, 6],
    ]);
    expect(states[0]!.attr('__layout__')).toBe('LNC');
    expect(opNodes(outputs).filter((o) => o.startsWith('SwapAxis'))).toEqual(['SwapAxis:swapaxes0', 'SwapAxis:swapaxes1']);
    // Unmerged: one output per step.
    const steps = fused.unroll(5, Variable('x'), { mergeOutputs: false });
    expect(steps.outputs).toHaveLength(5);
    expect(() => fused.step()).toThrow(/cannot be stepped/);
  });
});

describe('cells', () => {
  it('number steps from t0 after reset and count begin states until then', () => {
    const cell = new LSTMCell(4, { prefix: 'c_' });
    const names = (): string[] =>
      fresh(() => opNodes(Group(cell.unroll(2, stepInputs(2)).outputs as Symbol[])).filter((n) => n.includes('i2h')));
    expect(names()).toEqual(['FullyConnected:c_t0_i2h', 'FullyConnected:c_t1_i2h']);
    expect(names()).toEqual(['FullyConnected:c_t0_i2h', 'FullyConnected:c_t1_i2h']);
    // The unroll took begin states 0 and 1.
    expect(cell.beginState().map((s) => s.name)).toEqual(['c_begin_state_2', 'c_begin_state_3']);
    cell.reset();
    expect(cell.beginState()[0]!.name).toBe('c_begin_state_0');
  });

  it('start from zeros (batch left to inference) or from variables', () => {
    const cell = new GRUCell(7, { prefix: 'g_' });
    const [z] = cell.beginState();
    expect(z!.outputs[0]!.node.op!.name).toBe('_zeros');
    expect(z!.listAttr()).toEqual({ __layout__: 'NC', dtype: 'float32', shape: '(0, 7)' });
    const [v] = cell.beginState(variableState);
    expect(v!.listArguments()).toEqual(['g_begin_state_1']);
    expect(v!.listAttr()).toEqual({ __layout__: 'NC', __shape__: '(0, 7)' });
    const { outputs, states } = cell.unroll(2, stepInputs(2), { beginState: [v!] });
    expect(Group([...(outputs as Symbol[]), ...states]).inferShape(known(2, [3, 5])).argShapes[0]).toEqual([3, 5]);
    expect(Group(states).listArguments()).toContain('g_begin_state_1');
    // MXNet's begin_state(func, **kwargs): dtype for zeros, dtype and init for variables.
    expect(cell.beginState(undefined, { dtype: 'float16' })[0]!.attr('dtype')).toBe('float16');
    const [w] = cell.beginState(variableState, { dtype: 'float64', init: '["zero", {}]' });
    expect(w!.listAttr()).toEqual({ __layout__: 'NC', __shape__: '(0, 7)', __dtype__: '1', __init__: '["zero", {}]' });
    expect(() => cell.beginState(undefined, { init: '["one", {}]' })).toThrow(/zeros take no initializer/);
  });

  it('name the nodes of one step as MXNet does, auto-named nodes in its creation order', () => {
    const inputsOf = (s: Symbol): Record<string, string[]> =>
      Object.fromEntries(topoOrder(s.outputs).map((n) => [n.name, n.inputs.map((e) => e.node.outputName(e.index))]));
    const lstm = inputsOf(fresh(() => new LSTMCell(3, { prefix: 'l_' }).step(Variable('x'), new LSTMCell(3).beginState())[0]));
    expect(Object.keys(lstm).sort()).toEqual([
      '_mul0',
      '_mul1',
      '_plus0',
      'activation0',
      'l_h2h_bias',
      'l_h2h_weight',
      'l_i2h_bias',
      'l_i2h_weight',
      'l_t0_c',
      'l_t0_f',
      'l_t0_h2h',
      'l_t0_i',
      'l_t0_i2h',
      'l_t0_o',
      'l_t0_out',
      'l_t0_slice',
      'l_t0_state',
      'lstm_begin_state_0',
      'lstm_begin_state_1',
      'x',
    ]);
    expect(lstm._plus0).toEqual(['l_t0_i2h_output', 'l_t0_h2h_output']);
    expect(lstm.l_t0_f).toEqual(['l_t0_slice_output1']);
    expect(lstm._mul0).toEqual(['l_t0_f_output', 'lstm_begin_state_1_output']);
    expect(lstm._mul1).toEqual(['l_t0_i_output', 'l_t0_c_output']);
    expect(lstm.l_t0_state).toEqual(['_mul0_output', '_mul1_output']);
    expect(lstm.l_t0_out).toEqual(['l_t0_o_output', 'activation0_output']);

    const gru = inputsOf(fresh(() => new GRUCell(3).step(Variable('x'), [Variable('h')])[0]));
    expect(gru._plus0).toEqual(['gru_t0__i2h_slice_output0', 'gru_t0__h2h_slice_output0']);
    expect(gru._plus1).toEqual(['gru_t0__i2h_slice_output1', 'gru_t0__h2h_slice_output1']);
    expect(gru._mul0).toEqual(['gru_t0__r_act_output', 'gru_t0__h2h_slice_output2']);
    expect(gru._plus2).toEqual(['gru_t0__i2h_slice_output2', '_mul0_output']);
    expect(gru._rminusscalar0).toEqual(['gru_t0__z_act_output']);
    expect(gru._mul1).toEqual(['_rminusscalar0_output', 'gru_t0__h_act_output']);
    expect(gru._mul2).toEqual(['gru_t0__z_act_output', 'h']);
    expect(gru.gru_t0_out).toEqual(['_mul1_output', '_mul2_output']);
  });

  it('merge outputs on the time axis of the layout', () => {
    const cell = new RNNCell(6);
    const ntc = cell.unroll(4, Variable('x'), { mergeOutputs: true });
    expect(ntc.outputs.inferShape({ x: [2, 4, 3] }).outShapes).toEqual([[2, 4, 6]]);
    const tnc = cell.unroll(4, Variable('x'), { layout: 'TNC', mergeOutputs: true });
    expect(tnc.outputs.inferShape({ x: [4, 2, 3] }).outShapes).toEqual([[4, 2, 6]]);
    const bi = new BidirectionalCell(new RNNCell(6, { prefix: 'l_' }), new RNNCell(6, { prefix: 'r_' }));
    const merged = fresh(() => bi.unroll(4, Variable('x'), { mergeOutputs: true }));
    expect(merged.outputs.name).toBe('bi_out');
    expect(merged.outputs.inferShape({ x: [2, 4, 3] }).outShapes).toEqual([[2, 4, 12]]);
    expect(opNodes(merged.outputs)).toContain('reverse:reverse0');
  });

  it('return flat states from a BidirectionalCell (MXNet nests them)', () => {
    const bi = new BidirectionalCell(new LSTMCell(5, { prefix: 'l_' }), new GRUCell(5, { prefix: 'r_' }));
    expect(bi.stateInfo).toHaveLength(3);
    const { states } = bi.unroll(2, stepInputs(2));
    expect(states).toHaveLength(3);
    expect(states.every((s) => s instanceof Symbol)).toBe(true);
    expect(Group(states).inferShape(known(2, [4, 3])).outShapes).toEqual([
      [4, 5],
      [4, 5],
      [4, 5],
    ]);
    // Flat states can feed the next unroll directly.
    expect(() => bi.unroll(2, stepInputs(2), { beginState: states })).not.toThrow();
  });

  it('apply dropout once to a merged sequence and per step to a list', () => {
    const once = fresh(() => new DropoutCell(0.3).unroll(4, Variable('x'), { mergeOutputs: true }).outputs);
    expect(opNodes(once)).toEqual(['Dropout:dropout0']);
    const perStep = fresh(() => new DropoutCell(0.3).unroll(4, stepInputs(4)).outputs as Symbol[]);
    expect(perStep).toHaveLength(4);
    expect(new DropoutCell(0).step(Variable('x'), [])[0].name).toBe('x');
    expect(() => new DropoutCell(2)).toThrow(ValueError);
  });

  it('refuse direct use of a wrapped cell, and zoneout of cells that cannot step', () => {
    const base = new LSTMCell(4);
    const res = new ResidualCell(base);
    expect(() => base.beginState()).toThrow(/cannot be called directly/);
    expect(res.beginState()).toHaveLength(2);
    expect(base.modified).toBe(true);
    expect(() => new ZoneoutCell(new FusedRNNCell(4))).toThrow(/unfuse first/);
    expect(() => new ZoneoutCell(new BidirectionalCell(new RNNCell(2), new RNNCell(2)))).toThrow(/doesn't support step/);
    const seq = new SequentialRNNCell().add(
      new BidirectionalCell(new RNNCell(2, { prefix: 'a_' }), new RNNCell(2, { prefix: 'b_' })),
    );
    expect(() => new ZoneoutCell(seq)).toThrow(/Bidirectional SequentialRNNCell/);
    expect(() => seq.step(Variable('x'), seq.beginState())).toThrow(/cannot be stepped/);
  });

  it('share weights through one RNNParams, and reject params given twice', () => {
    const shared = new RNNParams('shared_');
    const a = new RNNCell(3, { params: shared, prefix: 'a_' });
    const b = new RNNCell(3, { params: shared, prefix: 'b_' });
    const outs = [a.step(Variable('x'), a.beginState())[0], b.step(Variable('y'), b.beginState())[0]];
    expect(Group(outs).listArguments()).toEqual([
      'x',
      'shared_i2h_weight',
      'shared_i2h_bias',
      'shared_h2h_weight',
      'shared_h2h_bias',
      'y',
    ]);
    expect(() => new SequentialRNNCell(new RNNParams('s_')).add(a)).toThrow(/Either specify params/);
    const collected = new SequentialRNNCell(new RNNParams('s_')).add(new RNNCell(3, { prefix: 'c_' }));
    expect(collected.params.keys()).toEqual(['c_i2h_weight', 'c_i2h_bias', 'c_h2h_weight', 'c_h2h_bias']);
  });

  it('reject bad sizes, layouts, lengths and state counts', () => {
    expect(() => new LSTMCell(0)).toThrow(/num_hidden must be a positive integer/);
    expect(() => new FusedRNNCell(4, { mode: 'elman' as never })).toThrow(/unknown mode 'elman'/);
    const cell = new RNNCell(3);
    expect(() => cell.unroll(0, [])).toThrow(/length must be a positive integer/);
    expect(() => cell.unroll(2, stepInputs(3))).toThrow(/3 inputs for length 2/);
    expect(() => cell.unroll(2, Variable('x'), { layout: 'CTN' as never })).toThrow(/layout must be 'NTC' or 'TNC'/);
    expect(() => cell.step(Variable('x'), [])).toThrow(/a step takes 1 states, got 0/);
    expect(() => cell.unroll(2, Group([Variable('a'), Variable('b')]), { mergeOutputs: false })).toThrow(/grouped symbol/);
  });

  it('build gradient graphs whose shapes infer, stepped or fused', () => {
    const rnn = new RNNCell(4, { prefix: 'r_' });
    const stepped = rnn.unroll(3, Variable('x'), { mergeOutputs: false }).outputs[2]!;
    const ops = gradientShapes(stepped, ['x', 'r_i2h_weight', 'r_h2h_weight', 'r_h2h_bias'], { x: [2, 3, 5] });
    expect(ops).toEqual(expect.arrayContaining(['_backward_FullyConnected', '_backward_Activation', '_backward_SliceChannel']));
    const fused = new FusedRNNCell(4, { numLayers: 2, mode: 'gru', bidirectional: true });
    const seq = fused.unroll(3, Variable('x'), { layout: 'TNC', mergeOutputs: true }).outputs;
    expect(gradientShapes(seq, ['x', 'gru_parameters'], { x: [3, 2, 5] })).toContain('_backward_RNN');
  });
});
