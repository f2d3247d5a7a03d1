import { ValueError } from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';
import {
  Activation,
  AttrSchema,
  BlockGrad,
  Concat,
  ElementWiseSum,
  Embedding,
  FullyConnected,
  Group,
  MakeLoss,
  NameManager,
  Reshape,
  SliceChannel,
  SoftmaxOutput,
  Variable,
  _mul_scalar,
  buildGradient,
  createSymbol,
  defineOp,
  elemwise_add,
  identity,
  registerOp,
  withNameManager,
  type Symbol,
} from '../src/index.js';
import * as sym from '../src/index.js';
import { mlp, nodes } from './fixtures.js';

const opNames = (s: Symbol): string[] => nodes(s).flatMap((n) => (n.op ? [`${n.op.name}:${n.name}`] : []));

describe('gradient graphs', () => {
  it('sums the two gradient paths of a weight used twice with ElementWiseSum', () => {
    const w = Variable('w');
    const a = FullyConnected({ data: Variable('x'), weight: w, name: 'fa', numHidden: 4, noBias: true });
    const b = FullyConnected({ data: Variable('y'), weight: w, name: 'fb', numHidden: 4, noBias: true });
    const loss = MakeLoss({ data: elemwise_add({ lhs: a, rhs: b, name: 'sum' }), name: 'loss' });
    const g = loss.gradient(['w']);
    const out = g.outputs[0]!;
    expect(out.node.op!.name).toBe('add_n');
    expect(out.node.attrs).toEqual({ num_args: '2' });
    expect(out.node.inputs.map((e) => `${e.node.name}:${e.index}`).sort()).toEqual(['fa_backward:1', 'fb_backward:1']);
    // The weight gradients come from the fused backward op, seeded by MakeLoss and _backward_add.
    expect(opNames(g)).toEqual(
      expect.arrayContaining([
        '_backward_MakeLoss:loss_backward',
        '_backward_add:sum_backward',
        '_backward_FullyConnected:fa_backward',
      ]),
    );
    const shapes = Group([loss, g]).inferShape({ x: [2, 3], y: [2, 3] });
    expect(shapes.outShapes).toEqual([
      [2, 4],
      [4, 3],
    ]);
  });

  it('stops gradients at BlockGrad', () => {
    const x = Variable('x');
    const w1 = Variable('w1');
    const w2 = Variable('w2');
    const kept = FullyConnected({ data: x, weight: w1, name: 'kept', numHidden: 3, noBias: true });
    const blocked = BlockGrad({
      data: FullyConnected({ data: x, weight: w2, name: 'blocked', numHidden: 3, noBias: true }),
      name: 'stop',
    });
    const loss = MakeLoss({ data: elemwise_add({ lhs: kept, rhs: blocked, name: 'sum' }), name: 'loss' });
    const g = loss.gradient(['w1', 'w2']);
    expect(g.outputs[0]!.node.name).toBe('kept_backward');
    // w2 only reaches the loss through BlockGrad: its gradient is zeros, and no backward node of
    // the blocked branch exists.
    expect(g.outputs[1]!.node.op!.name).toBe('zeros_like');
    expect(g.outputs[1]!.node.inputs[0]!.node.name).toBe('w2');
    expect(opNames(g).some((n) => n.includes('blocked_backward'))).toBe(false);
  });

  it('does not sum a path that BlockGrad cut', () => {
    const w = Variable('w');
    const x = Variable('x');
    const a = FullyConnected({ data: x, weight: w, name: 'fa', numHidden: 3, noBias: true });
    const b = BlockGrad({ data: FullyConnected({ data: x, weight: w, name: 'fb', numHidden: 3, noBias: true }) });
    const g = MakeLoss({ data: elemwise_add({ lhs: a, rhs: b }) }).gradient(['w']);
    expect(g.outputs[0]!.node.name).toBe('fa_backward');
    expect(opNames(g).some((n) => n.startsWith('add_n'))).toBe(false);
  });

  it('gives no gradient to arguments with gradReq null', () => {
    const net = mlp();
    const r = buildGradient(net, ['data', 'fc1_weight', 'fc1_bias', 'fc2_weight'], {
      gradReq: { data: 'null', fc1_bias: 'null' },
    });
    expect(r.args).toEqual(['fc1_weight', 'fc2_weight']);
    expect(r.symbol.numOutputs).toBe(2);
    expect(r.symbol.outputs.map((e) => `${e.node.name}:${e.index}`)).toEqual(['fc1_backward:1', 'fc2_backward:1']);
    expect(buildGradient(net, ['fc1_weight'], { gradReq: 'null' }).symbol.numOutputs).toBe(0);
    expect(buildGradient(net, ['fc1_weight'], { gradReq: 'add' }).args).toEqual(['fc1_weight']);
  });

  it('lets SoftmaxOutput seed itself from the label, with no head gradient', () => {
    const net = mlp();
    const params = ['fc1_weight', 'fc1_bias', 'fc2_weight', 'fc2_bias'];
    const r = buildGradient(net, params);
    expect(r.headGrads).toEqual([]);
    const bwd = nodes(r.symbol).find((n) => n.op?.name === '_backward_SoftmaxOutput')!;
    expect(bwd.inputs.map((e) => e.node.outputName(e.index))).toEqual(['softmax_output', 'softmax_label']);
    expect(bwd.controlDeps.map((n) => n.name)).toEqual(['softmax']);
    // Only differentiate what leads to the requested arguments: nothing for data.
    const fc1b = nodes(r.symbol).find((n) => n.name === 'fc1_backward')!;
    expect(fc1b.inputs.map((e) => e.node.outputName(e.index))).toEqual(['relu1_backward_output', 'data', 'fc1_weight']);
    // The gradient graph infers: each gradient has its argument's shape.
    const shapes = Group([net, r.symbol]).inferShape({ data: [8, 20] });
    expect(shapes.outShapes).toEqual([[8, 10], [128, 20], [128], [10, 128], [10]]);
  });

  it('feeds non-loss heads through <output>_head_grad variables', () => {
    const fc = FullyConnected({ data: Variable('x'), name: 'fc', numHidden: 3 });
    const r = buildGradient(fc, ['x', 'fc_weight']);
    expect(r.headGrads).toEqual([{ name: 'fc_output_head_grad', output: 0 }]);
    // The backward node depends on the forward node (control dependency), hence fc_bias.
    expect(r.symbol.listArguments()).toEqual(['fc_output_head_grad', 'x', 'fc_weight', 'fc_bias']);
    const shapes = Group([fc, r.symbol]).inferShape({ x: [5, 7] });
    expect(shapes.argShapes).toEqual([[5, 7], [3, 7], [3], [5, 3]]);
    expect(shapes.outShapes).toEqual([
      [5, 3],
      [5, 7],
      [3, 7],
    ]);

    // SoftmaxOutput with out_grad multiplies by its output gradient, so it needs one.
    const sm = SoftmaxOutput({ data: Variable('d'), name: 'sm', outGrad: true });
    const r2 = buildGradient(sm, ['d']);
    expect(r2.headGrads).toEqual([{ name: 'sm_output_head_grad', output: 0 }]);
    expect(nodes(r2.symbol).find((n) => n.op?.name === '_backward_SoftmaxOutput')!.inputs).toHaveLength(3);
  });

  it('uses zeros for outputs of a multi-output node that get no gradient', () => {
    const parts = SliceChannel({ data: Variable('x'), numOutputs: 3, name: 's' });
    const loss = MakeLoss({ data: parts.at(1), name: 'loss' });
    const g = loss.gradient(['x']);
    const bwd = g.outputs[0]!.node;
    expect(bwd.op!.name).toBe('_backward_SliceChannel');
    expect(bwd.inputs.map((e) => e.node.op!.name)).toEqual(['zeros_like', '_backward_MakeLoss', 'zeros_like']);
    expect(Group([loss, g]).inferShape({ x: [2, 6] }).outShapes).toEqual([
      [2, 2],
      [2, 6],
    ]);
  });

  it('gives softsign its input, other activations only their output', () => {
    const x = Variable('x');
    const relu = MakeLoss({ data: Activation({ data: x, name: 'a', actType: 'relu' }) }).gradient(['x']);
    expect(relu.outputs[0]!.node.inputs).toHaveLength(2);
    const soft = MakeLoss({ data: Activation({ data: x, name: 'a', actType: 'softsign' }), name: 'l' }).gradient(['x']);
    expect(soft.outputs[0]!.node.inputs.map((e) => e.node.outputName(e.index))).toEqual(['l_backward_output', 'a_output', 'x']);
  });

  it('differentiates every operator and infers the gradient shapes', () => {
    withNameManager(new NameManager(), () => {
      const data = Variable('data');
      const tokens = Variable('tokens');
      const emb = Embedding({ data: tokens, inputDim: 50, outputDim: 6 });
      const flat = Reshape({ data: emb, shape: [-1, 6] });
      const both = Concat({ data: [data, flat], dim: 0 });
      const parts = SliceChannel({ data: both, numOutputs: 2, axis: 1 });
      const sum = ElementWiseSum({ args: [parts.at(0), parts.at(1)] });
      const plus = elemwise_add({ lhs: sum, rhs: identity({ data: sum }) });
      const fc = FullyConnected({ data: _mul_scalar({ data: plus, scalar: 0.25 }), numHidden: 5 });
      const net = SoftmaxOutput({ data: Activation({ data: fc, actType: 'tanh' }) });
      const wrt = ['data', 'embedding0_weight', 'fullyconnected0_weight', 'fullyconnected0_bias'];
      const g = net.gradient(wrt);
      const shapes = Group([net, g]).inferShape({ data: [3, 6], tokens: [2, 2] });
      const argShapes = net.inferShape({ data: [3, 6], tokens: [2, 2] });
      const byName = Object.fromEntries(net.listArguments().map((n, i) => [n, argShapes.argShapes[i]]));
      expect(shapes.outShapes.slice(1)).toEqual(wrt.map((n) => byName[n]));
      expect(opNames(g)).toEqual(
        expect.arrayContaining([
          '_backward_Embedding:embedding0_backward',
          '_backward_copy:reshape0_backward',
          '_backward_Concat:concat0_backward',
          '_backward_SliceChannel:slicechannel0_backward',
          '_copy:elementwisesum0_in0_backward',
          '_backward_add:elemwise_add0_backward',
          '_copy:identity0_backward',
          '_backward_mul_scalar:_mul_scalar0_backward',
          '_backward_Activation:activation0_backward',
        ]),
      );
    });
  });

  // math and shape ops
  it('differentiates every math and shape operator and infers the gradient shapes', () => {
    withNameManager(new NameManager(), () => {
      const [data, w, w2, w3, emb] = [Variable('data'), Variable('w'), Variable('w2'), Variable('w3'), Variable('emb')] as const;
      const [idx, idx2, cond] = [Variable('idx'), Variable('idx2'), Variable('cond')] as const;
      // (3, 6) through broadcasts against w (1, 6), element-wise ops, unary math and scalars.
      let h = sym.broadcast_mul({ lhs: data, rhs: w });
      for (const f of [
        sym.broadcast_add,
        sym.broadcast_sub,
        sym.broadcast_div,
        sym.broadcast_power,
        sym.broadcast_maximum,
        sym.broadcast_minimum,
      ]) {
        h = f({ lhs: h, rhs: w });
      }
      for (const f of [sym.elemwise_sub, sym.elemwise_mul, sym.elemwise_div, sym._power, sym._maximum, sym._minimum])
        h = f({ lhs: h, rhs: data });
      for (const f of [
        sym.exp,
        sym.log,
        sym.sqrt,
        sym.rsqrt,
        sym.square,
        sym.abs,
        sym.sign,
        sym.tanh,
        sym.sigmoid,
        sym.relu,
        sym.softsign,
        sym.negative,
        sym.reciprocal,
        sym.erf,
      ]) {
        h = f({ data: h });
      }
      h = sym.clip({ data: h, aMin: -1, aMax: 1 });
      for (const f of [
        sym._plus_scalar,
        sym._minus_scalar,
        sym._rminus_scalar,
        sym._div_scalar,
        sym._rdiv_scalar,
        sym._power_scalar,
        sym._rpower_scalar,
        sym._maximum_scalar,
        sym._minimum_scalar,
      ]) {
        h = f({ data: h, scalar: 0.5 });
      }
      h = elemwise_add({ lhs: h, rhs: sym._greater_scalar({ data: h, scalar: 0 }) });
      h = elemwise_add({ lhs: h, rhs: sym.broadcast_lesser({ lhs: h, rhs: w }) });
      // Shape ops back to (3, 6), then (3, 4) and reductions of a (3, 2, 4) stack.
      h = sym.SwapAxis({
        data: sym.transpose({ data: sym.Flatten({ data: sym.expand_dims({ data: h, axis: 1 }) }) }),
        dim1: 0,
        dim2: 1,
      });
      h = sym.slice_axis({ data: sym.squeeze({ data: sym.expand_dims({ data: h, axis: 0 }) }), axis: 1, begin: 0, end: 4 });
      const st = sym.stack({ data: [h, h], axis: 1 });
      h = sym.add_n({ args: [sym.sum({ data: st, axis: 1 }), sym.max({ data: st, axis: 1 }), sym.min({ data: st, axis: 1 })] });
      h = sym.mean({ data: sym.expand_dims({ data: h, axis: 0 }), axis: 0 });
      h = sym.broadcast_div({ lhs: h, rhs: sym.norm({ data: h, axis: 1, keepdims: true }) });
      // Products, gathers and selections: (3, 4) . (4, 5), batch (3, 1, 5) x (3, 5, 2), then (3, 2).
      h = sym.dot({ lhs: h, rhs: w2 });
      h = sym.Flatten({ data: sym.batch_dot({ lhs: sym.expand_dims({ data: h, axis: 1 }), rhs: w3 }) });
      h = elemwise_add({ lhs: h, rhs: sym.take({ a: emb, indices: idx }) });
      h = sym.broadcast_mul({ lhs: h, rhs: sym.pick({ data: h, index: idx2, axis: 1, keepdims: true }) });
      h = sym.Cast({ data: sym.where({ condition: cond, x: h, y: sym.ones_like({ data: h }) }), dtype: 'float32' });
      h = sym.SoftmaxActivation({ data: sym.log_softmax({ data: sym.softmax({ data: h }) }) });
      h = elemwise_add({ lhs: h, rhs: sym.one_hot({ indices: idx, depth: 2 }) });
      h = sym.broadcast_add({ lhs: h, rhs: sym.argmax({ data: h, axis: 1, keepdims: true }) });
      const net = sym.LinearRegressionOutput({ data: h });

      const wrt = ['data', 'w', 'w2', 'w3', 'emb'];
      const g = net.gradient(wrt);
      const known = { data: [3, 6], w: [1, 6], w2: [4, 5], w3: [3, 5, 2], emb: [10, 2], idx: [3], idx2: [3, 1], cond: [3] };
      const shapes = Group([net, g]).inferShape(known);
      expect(shapes.outShapes).toEqual([[3, 2], ...wrt.map((n) => known[n as keyof typeof known])]);
      const ops = new Set(nodes(g).flatMap((n) => (n.op ? [n.op.name] : [])));
      const expected = [
        ...['mul', 'add', 'sub', 'div', 'power', 'maximum', 'minimum'].map((o) => `_backward_broadcast_${o}`),
        ...['sub', 'mul', 'div', 'power', 'maximum', 'minimum'].map((o) => `_backward_${o}`),
        ...[
          'log',
          'sqrt',
          'rsqrt',
          'square',
          'abs',
          'sign',
          'tanh',
          'sigmoid',
          'relu',
          'softsign',
          'reciprocal',
          'erf',
          'clip',
        ].map((o) => `_backward_${o}`),
        'elemwise_mul',
        'negative',
        '_copy',
        '_div_scalar',
        ...['rdiv', 'power', 'rpower', 'maximum', 'minimum'].map((o) => `_backward_${o}_scalar`),
        'zeros_like',
        'transpose',
        '_backward_copy',
        '_backward_reshape',
        '_backward_SwapAxis',
        '_backward_squeeze',
        '_backward_slice_axis',
        '_backward_stack',
        '_backward_sum',
        '_backward_max',
        '_backward_min',
        '_backward_mean',
        '_backward_norm',
        '_backward_dot',
        'batch_dot',
        '_backward_take',
        '_backward_pick',
        '_backward_where',
        '_backward_cast',
        '_backward_softmax',
        '_backward_log_softmax',
        '_backward_SoftmaxActivation',
        '_backward_linear_reg_out',
      ];
      for (const op of expected) expect(ops, op).toContain(op);
    });
  });

  it('rejects unknown arguments and non-differentiable operators', () => {
    const net = mlp();
    expect(() => net.gradient(['nope'])).toThrow(/'nope' is not an argument/);
    expect(() => net.gradient(['fc1_weight', 'fc1_weight'])).toThrow(ValueError);
    expect(() => net.gradient(['fc1_weight'], { gradReq: 'sometimes' as never })).toThrow(/invalid gradReq/);
    const opaque = defineOp<Record<never, never>>({
      name: '_TestOpaque',
      attrs: new AttrSchema({}),
      inputNames: () => ['data'],
      inferShape: () => undefined,
      inferType: () => undefined,
      kernels: { forward: 'copy' },
    });
    registerOp(opaque);
    const s = MakeLoss({ data: createSymbol(opaque, '_TestOpaque', { data: Variable('x'), name: 'op' }) });
    expect(() => s.gradient(['x'])).toThrow(/_TestOpaque \('op'\) is not differentiable/);
  });
});
