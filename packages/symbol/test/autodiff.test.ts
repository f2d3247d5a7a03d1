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
  topoOrder,
  withNameManager,
  type Node,
  type Symbol,
} from '../src/index.js';
import { mlp } from './fixtures.js';

const nodes = (s: Symbol): Node[] => topoOrder(s.outputs);
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
      expect.arrayContaining(['_backward_MakeLoss:loss_backward', '_backward_add:sum_backward', '_backward_FullyConnected:fa_backward']),
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
    const blocked = BlockGrad({ data: FullyConnected({ data: x, weight: w2, name: 'blocked', numHidden: 3, noBias: true }), name: 'stop' });
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
    expect(shapes.outShapes).toEqual([[5, 3], [5, 7], [3, 7]]);

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
    expect(soft.outputs[0]!.node.inputs.map((e) => e.node.outputName(e.index))).toEqual([
      'l_backward_output',
      'a_output',
      'x',
    ]);
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
      kernels: { forward: 'test' },
    });
    registerOp(opaque);
    const s = MakeLoss({ data: createSymbol(opaque, '_TestOpaque', { data: Variable('x'), name: 'op' }) });
    expect(() => s.gradient(['x'])).toThrow(/_TestOpaque \('op'\) is not differentiable/);
  });
});
