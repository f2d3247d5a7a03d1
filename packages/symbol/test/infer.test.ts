import { DTypeError, ShapeError, ValueError } from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';
import {
  Activation,
  BlockGrad,
  Concat,
  ElementWiseSum,
  Embedding,
  FullyConnected,
  MakeLoss,
  Reshape,
  SliceChannel,
  SoftmaxOutput,
  Variable,
  _mul_scalar,
  elemwise_add,
  identity,
  zeros_like,
  type Symbol,
} from '../src/index.js';
import { withOut } from './fixtures.js';

const x = (name = 'x', shape?: number[]): Symbol => Variable(name, shape ? { shape } : {});

describe('FullyConnected shapes', () => {
  it('fills weight and bias from data (flatten)', () => {
    const fc = FullyConnected({ data: x(), name: 'fc', numHidden: 128 });
    const r = fc.inferShape({ x: [32, 3, 4, 5] });
    expect(r.argShapes).toEqual([[32, 3, 4, 5], [128, 60], [128]]);
    expect(r.outShapes).toEqual([[32, 128]]);
  });

  it('keeps leading axes without flatten', () => {
    const fc = FullyConnected({ data: x(), name: 'fc', numHidden: 7, flatten: false });
    expect(fc.inferShape({ x: [2, 3, 4] }).outShapes).toEqual([[2, 3, 7]]);
    expect(fc.inferShape({ x: [2, 3, 4] }).argShapes[1]).toEqual([7, 4]);
  });

  it('fills data from the output and the weight (backward direction)', () => {
    const fc = FullyConnected({ data: x(), name: 'fc', numHidden: 4 });
    const r = withOut(fc).inferShape({ x: [0, 10], y: [8, 4] });
    expect(r.argShapes).toEqual([[8, 10], [4, 10], [4], [8, 4]]);

    const nf = FullyConnected({ data: x(), name: 'nf', numHidden: 4, flatten: false });
    const r2 = withOut(nf).inferShape({ nf_weight: [4, 6], y: [2, 3, 4] });
    expect(r2.argShapes[0]).toEqual([2, 3, 6]);
  });

  it('names node, op and shapes on a conflict', () => {
    const fc = FullyConnected({ data: x(), name: 'fc1', numHidden: 10 });
    const run = () => fc.inferShape({ x: [5, 20], fc1_weight: [10, 30] });
    expect(run).toThrow(ShapeError);
    expect(run).toThrow(/FullyConnected 'fc1'.*weight.*\(10, 30\).*\(10, 20\)/);
  });

  it('names node and op when a shape stays unknown', () => {
    const fc = FullyConnected({ data: x(), name: 'fc1', numHidden: 10 });
    const run = () => fc.inferShape({});
    expect(run).toThrow(ShapeError);
    expect(run).toThrow(/FullyConnected 'fc1': cannot infer the shape of input 'data' \(variable 'x'\)/);
  });

  it('accepts a (num_hidden, 1) bias', () => {
    const fc = FullyConnected({ data: x(), name: 'fc', numHidden: 3 });
    expect(fc.inferShape({ x: [2, 5], fc_bias: [3, 1] }).argShapes[2]).toEqual([3, 1]);
  });
});

describe('variables named like Object.prototype members', () => {
  it('are unknown until given, and known once given', () => {
    for (const name of ['toString', 'constructor', '__proto__', 'valueOf']) {
      const fc = FullyConnected({ data: x(), weight: x(name), name: 'fc', numHidden: 3 });
      expect(fc.inferShape({ x: [2, 4] }).argShapes).toEqual([[2, 4], [3, 4], [3]]);
      expect(fc.inferType({ x: 'float32' }).argTypes).toEqual(['float32', 'float32', 'float32']);
      const byName = FullyConnected({ data: x(name), name: 'fc', numHidden: 3 });
      expect(byName.inferShapePartial({}).argShapes[0]).toBeUndefined();
      expect(byName.inferShape(Object.fromEntries([[name, [5, 2]]])).outShapes).toEqual([[5, 3]]);
    }
  });
});

describe('Activation and other element-wise shapes', () => {
  it('fills data from the output', () => {
    const act = Activation({ data: x(), name: 'act', actType: 'sigmoid' });
    expect(withOut(act).inferShape({ y: [2, 3] }).argShapes).toEqual([
      [2, 3],
      [2, 3],
    ]);
  });

  it('propagates through every element-wise op both ways', () => {
    const ops: ((s: Symbol) => Symbol)[] = [
      (s) => Activation({ data: s, actType: 'softsign' }),
      (s) => _mul_scalar({ data: s, scalar: 2 }),
      (s) => BlockGrad({ data: s }),
      (s) => MakeLoss({ data: s }),
      (s) => zeros_like({ data: s }),
      (s) => identity({ data: s }),
      (s) => ElementWiseSum({ args: [s, s] }),
      (s) => elemwise_add({ lhs: s, rhs: s }),
    ];
    for (const op of ops) {
      const s = op(x());
      expect(s.inferShape({ x: [4, 5] }).outShapes).toEqual([[4, 5]]);
      expect(withOut(s).inferShape({ y: [4, 5] }).argShapes[0]).toEqual([4, 5]);
    }
  });

  it('rejects mismatched element-wise inputs', () => {
    const s = elemwise_add({ lhs: x('a'), rhs: x('b'), name: 'add' });
    expect(() => s.inferShape({ a: [2, 3], b: [3, 2] })).toThrow(/elemwise_add 'add'.*inconsistent shape/);
  });
});

describe('SoftmaxOutput label shapes', () => {
  it('infers (N,) for (N, C) and (N, T) for (N, T, C)', () => {
    const sm = SoftmaxOutput({ data: x(), name: 'sm' });
    expect(sm.inferShape({ x: [8, 10] }).argShapes).toEqual([[8, 10], [8]]);
    expect(sm.inferShape({ x: [8, 5, 10] }).argShapes[1]).toEqual([8, 5]);
    expect(sm.inferShape({ x: [8, 10] }).outShapes).toEqual([[8, 10]]);
  });

  it('accepts probability labels shaped like data', () => {
    const sm = SoftmaxOutput({ data: x(), name: 'sm' });
    expect(sm.inferShape({ x: [8, 10], sm_label: [8, 10] }).argShapes[1]).toEqual([8, 10]);
  });

  it('with multi_output infers (N, prod(d2...)) and accepts (N, d2, ...)', () => {
    const sm = SoftmaxOutput({ data: x(), name: 'sm', multiOutput: true });
    expect(sm.inferShape({ x: [2, 5, 3, 4] }).argShapes[1]).toEqual([2, 12]);
    expect(sm.inferShape({ x: [2, 5, 3, 4], sm_label: [2, 3, 4] }).argShapes[1]).toEqual([2, 3, 4]);
    expect(sm.inferShape({ x: [2, 5, 3, 4], sm_label: [2, 1, 3, 4] }).argShapes[1]).toEqual([2, 1, 3, 4]);
    expect(() => sm.inferShape({ x: [2, 5, 3, 4], sm_label: [2, 7] })).toThrow(/SoftmaxOutput 'sm'.*label shape \(2, 7\)/);
  });

  it('rejects a label of the wrong shape', () => {
    const sm = SoftmaxOutput({ data: x(), name: 'sm' });
    expect(() => sm.inferShape({ x: [8, 10], sm_label: [9] })).toThrow(ShapeError);
  });
});

describe('Embedding shapes', () => {
  it('appends output_dim and fixes the weight', () => {
    const e = Embedding({ data: x(), name: 'emb', inputDim: 100, outputDim: 16 });
    const r = e.inferShape({ x: [4, 7] });
    expect(r.argShapes).toEqual([
      [4, 7],
      [100, 16],
    ]);
    expect(r.outShapes).toEqual([[4, 7, 16]]);
  });

  it('fills data from the output', () => {
    const e = Embedding({ data: x(), name: 'emb', inputDim: 100, outputDim: 16 });
    expect(withOut(e).inferShape({ y: [4, 7, 16] }).argShapes[0]).toEqual([4, 7]);
    expect(() => withOut(e).inferShape({ y: [4, 7, 15] })).toThrow(ShapeError);
  });
});

describe('Reshape shapes', () => {
  const reshape = (shape: number[], reverse = false) => Reshape({ data: x(), name: 'r', shape, reverse });

  it('resolves MXNet special values', () => {
    expect(reshape([0, -1]).inferShape({ x: [2, 3, 4] }).outShapes).toEqual([[2, 12]]);
    expect(reshape([-3, 0]).inferShape({ x: [2, 3, 4] }).outShapes).toEqual([[6, 4]]);
    expect(reshape([-4, 1, 2, -2]).inferShape({ x: [2, 3, 4] }).outShapes).toEqual([[1, 2, 3, 4]]);
    expect(reshape([-1, 0], true).inferShape({ x: [10, 5, 4] }).outShapes).toEqual([[50, 4]]);
  });

  it('reads the deprecated target_shape', () => {
    const r = Reshape({ data: x(), name: 'r', targetShape: [0, 4] });
    expect(r.inferShape({ x: [2, 3, 4] }).outShapes).toEqual([[6, 4]]);
    const k = Reshape({ data: x(), name: 'r', targetShape: [0, 2, 0], keepHighest: true });
    expect(k.inferShape({ x: [5, 3, 4] }).outShapes).toEqual([[5, 2, 6]]);
  });

  it('fills one unknown input dimension from the output', () => {
    expect(withOut(reshape([-1])).inferShape({ x: [0, 3, 4], y: [24] }).argShapes[0]).toEqual([2, 3, 4]);
  });

  it('names the node on an impossible reshape', () => {
    expect(() => reshape([5, -1]).inferShape({ x: [2, 3] })).toThrow(/Reshape 'r': .*cannot reshape/);
    expect(() => Reshape({ data: x(), name: 'r0' }).inferShape({ x: [2] })).toThrow(/target shape must be set/);
  });
});

describe('Concat shapes', () => {
  it('sums the concatenated axis', () => {
    const c = Concat({ data: [x('a'), x('b')], dim: 1, name: 'c' });
    expect(c.inferShape({ a: [2, 3], b: [2, 5] }).outShapes).toEqual([[2, 8]]);
    const neg = Concat({ data: [x('a'), x('b')], dim: -1, name: 'c' });
    expect(neg.inferShape({ a: [2, 3], b: [2, 5] }).outShapes).toEqual([[2, 8]]);
  });

  it('fills the other axes and one missing length from the output', () => {
    const c = Concat({ data: [x('a'), x('b')], dim: 1, name: 'c' });
    const r = withOut(c).inferShape({ a: [2, 3], y: [2, 8] });
    expect(r.argShapes).toEqual([
      [2, 3],
      [2, 5],
      [2, 8],
    ]);
  });

  it('rejects inputs that disagree off the axis', () => {
    const c = Concat({ data: [x('a'), x('b')], dim: 1, name: 'c' });
    expect(() => c.inferShape({ a: [2, 3], b: [3, 5] })).toThrow(/Concat 'c'/);
  });
});

describe('SliceChannel shapes', () => {
  it('splits an axis into equal parts', () => {
    const s = SliceChannel({ data: x(), numOutputs: 3, name: 's' });
    expect(s.inferShape({ x: [4, 6] }).outShapes).toEqual([
      [4, 2],
      [4, 2],
      [4, 2],
    ]);
    const q = SliceChannel({ data: x(), numOutputs: 3, axis: 0, squeezeAxis: true, name: 'q' });
    expect(q.inferShape({ x: [3, 5] }).outShapes).toEqual([[5], [5], [5]]);
    expect(() => s.inferShape({ x: [4, 7] })).toThrow(/SliceChannel 's'.*cannot be split into 3/);
  });

  it('fills data from an output', () => {
    const s = SliceChannel({ data: x(), numOutputs: 2, name: 's' });
    expect(withOut(s.at(1)).inferShape({ y: [4, 3] }).argShapes[0]).toEqual([4, 6]);
    const q = SliceChannel({ data: x(), numOutputs: 2, axis: 1, squeezeAxis: true, name: 'q' });
    expect(withOut(q.at(0)).inferShape({ y: [4, 3] }).argShapes[0]).toEqual([4, 2, 3]);
  });
});

describe('graph inference', () => {
  it('uses __shape__ attributes of variables', () => {
    const fc = FullyConnected({ data: Variable('data', { shape: [2, 5] }), name: 'fc', numHidden: 3 });
    expect(fc.inferShape().outShapes).toEqual([[2, 3]]);
    // A given shape takes precedence over the attribute, as in MXNet.
    expect(fc.inferShape({ data: [2, 6] }).argShapes[1]).toEqual([3, 6]);
  });

  it('reports partial results with undefined and 0 for unknowns', () => {
    const fc = FullyConnected({ data: x(), name: 'fc', numHidden: 3 });
    const r = fc.inferShapePartial({});
    expect(r.argShapes).toEqual([undefined, [3, 0], [3]]);
    expect(r.outShapes).toEqual([undefined]);
    const r2 = fc.inferShapePartial({ x: [0, 4] });
    expect(r2.argShapes).toEqual([[0, 4], [3, 4], [3]]);
    expect(r2.outShapes).toEqual([[0, 3]]);
  });

  it('rejects names that are not inputs', () => {
    const fc = FullyConnected({ data: x(), name: 'fc', numHidden: 3 });
    expect(() => fc.inferShape({ nope: [1] })).toThrow(ValueError);
  });

  it('infers a whole MLP', () => {
    let net = FullyConnected({ data: Variable('data'), name: 'fc1', numHidden: 64 });
    net = Activation({ data: net, name: 'relu1', actType: 'relu' });
    net = FullyConnected({ data: net, name: 'fc2', numHidden: 10 });
    net = SoftmaxOutput({ data: net, name: 'softmax' });
    const r = net.inferShape({ data: [100, 784] });
    expect(r.argShapes).toEqual([[100, 784], [64, 784], [64], [10, 64], [10], [100]]);
    expect(r.outShapes).toEqual([[100, 10]]);
  });
});

describe('type inference', () => {
  it('propagates the data type to parameters and outputs', () => {
    const fc = FullyConnected({ data: x(), name: 'fc', numHidden: 3 });
    expect(fc.inferType({ x: 'float16' })).toEqual({
      argTypes: ['float16', 'float16', 'float16'],
      outTypes: ['float16'],
      auxTypes: [],
    });
    expect(withOut(Activation({ data: x(), actType: 'relu' })).inferType({ y: 'float64' }).argTypes).toEqual([
      'float64',
      'float64',
    ]);
  });

  it('gives Embedding weights its dtype parameter and leaves the indices to the caller', () => {
    const e = Embedding({ data: x(), name: 'emb', inputDim: 10, outputDim: 4, dtype: 'float64' });
    expect(e.inferType({ x: 'int32' })).toEqual({ argTypes: ['int32', 'float64'], outTypes: ['float64'], auxTypes: [] });
    expect(() => e.inferType({})).toThrow(/Embedding 'emb': cannot infer the type of input 'data'/);
  });

  it('uses __dtype__ attributes and reports conflicts', () => {
    const fc = FullyConnected({ data: Variable('x', { dtype: 'float64' }), name: 'fc', numHidden: 3 });
    expect(fc.inferType().outTypes).toEqual(['float64']);
    const run = () => fc.inferType({ fc_weight: 'float32' });
    expect(run).toThrow(DTypeError);
    expect(run).toThrow(/FullyConnected 'fc'.*inconsistent type/);
    expect(() => FullyConnected({ data: x(), name: 'fc', numHidden: 3 }).inferType()).toThrow(DTypeError);
    expect(FullyConnected({ data: x(), name: 'fc', numHidden: 3 }).inferTypePartial().argTypes).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });
});
