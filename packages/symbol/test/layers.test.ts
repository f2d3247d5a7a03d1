import { DTypeError, ValueError } from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';
import {
  BatchNorm,
  Convolution,
  Dropout,
  LayerNorm,
  LeakyReLU,
  Pooling,
  Symbol,
  Variable,
  findOp,
  inferGraphShapes,
  flip,
  reverse,
  zeros,
} from '../src/index.js';
import { expectInferError, gradientShapes, roundTrip, withOut } from './helpers-2b.js';

const x = (name = 'x'): Symbol => Variable(name);

describe('LeakyReLU', () => {
  it('keeps the shape in both directions for every type but prelu', () => {
    for (const actType of ['leaky', 'elu', 'selu', 'gelu', 'rrelu'] as const) {
      const s = LeakyReLU({ data: x(), actType, name: 'act' });
      expect(s.listArguments()).toEqual(['x']);
      expect(s.inferShape({ x: [2, 3] }).outShapes).toEqual([[2, 3]]);
      expect(withOut(s).inferShape({ y: [4, 5] }).argShapes[0]).toEqual([4, 5]);
    }
  });

  it('gives prelu one slope per channel, initialized to 0.25, or accepts a shared one', () => {
    const s = LeakyReLU({ data: x(), actType: 'prelu', name: 'act' });
    expect(s.listArguments()).toEqual(['x', 'act_gamma']);
    expect(s.inferShape({ x: [2, 3, 5] }).argShapes).toEqual([[2, 3, 5], [3]]);
    expect(s.inferShape({ x: [2, 3, 5], act_gamma: [1] }).argShapes[1]).toEqual([1]);
    expect(roundTrip(s, 'act_gamma').__init__).toBe('["Constant", {"value": 0.25}]');
    const given = LeakyReLU({ data: x(), gamma: Variable('g', { init: '["zero", {}]' }), actType: 'prelu' });
    expect(given.inferShape({ x: [2, 3] }).argShapes).toEqual([[2, 3], [3]]);
    expect(roundTrip(given, 'g').__init__).toBe('["zero", {}]');
  });

  it('hides the random slopes of rrelu in a second output', () => {
    const s = LeakyReLU({ data: x(), actType: 'rrelu', name: 'act' });
    expect(s.listOutputs()).toEqual(['act_output']);
    const node = s.outputs[0]!.node;
    expect(node.numOutputs()).toBe(2);
    expect(node.outputName(1)).toBe('act_mask');
  });

  it('infers types alike for data, gamma and output', () => {
    const s = LeakyReLU({ data: x(), actType: 'prelu', name: 'act' });
    expect(s.inferType({ x: 'float64' })).toEqual({ argTypes: ['float64', 'float64'], outTypes: ['float64'], auxTypes: [] });
    expectInferError(
      () => s.inferType({ x: 'float64', act_gamma: 'float32' }),
      'LeakyReLU',
      'act',
      /inconsistent type/,
      DTypeError,
    );
  });

  it('rejects a gamma that fits neither the channels nor a single slope', () => {
    const s = LeakyReLU({ data: x(), actType: 'prelu', name: 'act' });
    expectInferError(
      () => s.inferShape({ x: [2, 3], act_gamma: [4] }),
      'LeakyReLU',
      'act',
      /gamma must have shape \(3,\) or \(1,\)/,
    );
    expectInferError(() => s.inferShape({ x: [5] }), 'LeakyReLU', 'act', /prelu needs data with a channel axis/);
    expect(() => LeakyReLU({ data: x(), actType: 'swish' as never })).toThrow(ValueError);
  });

  it('round-trips its attributes as MXNet strings', () => {
    const s = LeakyReLU({ data: x(), actType: 'rrelu', slope: 0.1, lowerBound: 0.1, upperBound: 0.3, name: 'act' });
    expect(roundTrip(s, 'act')).toEqual({ act_type: 'rrelu', lower_bound: '0.1', slope: '0.1', upper_bound: '0.3' });
  });

  it('differentiates data and gamma (prelu), reading what each type needs', () => {
    const prelu = LeakyReLU({ data: x(), actType: 'prelu', name: 'act' });
    expect(gradientShapes(prelu, ['x', 'act_gamma'], { x: [2, 3] })).toContain('_backward_LeakyReLU');
    const bwdInputs = (actType: 'leaky' | 'gelu' | 'rrelu' | 'prelu'): string[] => {
      const g = LeakyReLU({ data: x(), actType, name: 'a' }).gradient(['x'], {});
      return g.outputs[0]!.node.inputs.map((e) => e.node.outputName(e.index));
    };
    expect(bwdInputs('leaky')).toEqual(['a_output_head_grad', 'a_output']);
    expect(bwdInputs('gelu')).toEqual(['a_output_head_grad', 'x', 'a_output']);
    expect(bwdInputs('rrelu')).toEqual(['a_output_head_grad', 'a_mask', 'a_output']);
    expect(bwdInputs('prelu')).toEqual(['a_output_head_grad', 'a_output', 'x', 'a_gamma']);
  });

  it('may run in place except prelu', () => {
    const op = findOp('LeakyReLU')!;
    expect(op.inplace!({ actType: 'leaky' })).toEqual([[0, 0]]);
    expect(op.inplace!({ actType: 'prelu' })).toEqual([]);
    expect(findOp('_backward_LeakyReLU')!.inplace!({})).toEqual([[0, 0]]);
  });
});

describe('Dropout', () => {
  it('has a hidden mask output shaped like data, 1 on shared axes', () => {
    const s = Dropout({ data: x(), p: 0.3, axes: [0, -1], name: 'drop' });
    expect(s.listOutputs()).toEqual(['drop_output']);
    const node = s.outputs[0]!.node;
    expect([node.numOutputs(), node.outputName(1)]).toEqual([2, 'drop_mask']);
    expect(s.inferShape({ x: [4, 5, 6] }).outShapes).toEqual([[4, 5, 6]]);
    expect(withOut(s).inferShape({ y: [4, 5, 6] }).argShapes[0]).toEqual([4, 5, 6]);
    expect(s.inferType({ x: 'float16' }).outTypes).toEqual(['float16']);
  });

  it('rejects shared axes outside the data', () => {
    const s = Dropout({ data: x(), axes: [3], name: 'drop' });
    expectInferError(() => s.inferShape({ x: [4, 5] }), 'Dropout', 'drop', /axis 3 is out of range/);
    expect(() => Dropout({ data: x(), p: 1.5 })).toThrow(ValueError);
  });

  it('round-trips mode and axes', () => {
    const s = Dropout({ data: x(), p: 0.5, mode: 'always', axes: [1], name: 'drop' });
    expect(roundTrip(s, 'drop')).toEqual({ axes: '(1,)', mode: 'always', p: '0.5' });
  });

  it('differentiates through the mask, in place', () => {
    const s = Dropout({ data: x(), name: 'drop', axes: [1] });
    const g = s.gradient(['x']);
    expect(g.outputs[0]!.node.inputs.map((e) => e.node.outputName(e.index))).toEqual(['drop_output_head_grad', 'drop_mask']);
    gradientShapes(s, ['x'], { x: [3, 4] });
    expect(findOp('_backward_Dropout')!.inplace!({})).toEqual([[0, 0]]);
  });
});

describe('BatchNorm', () => {
  it('lists gamma and beta as arguments, the moving statistics as auxiliary states', () => {
    const s = BatchNorm({ data: x(), name: 'bn' });
    expect(s.listArguments()).toEqual(['x', 'bn_gamma', 'bn_beta']);
    expect(s.listAuxiliaryStates()).toEqual(['bn_moving_mean', 'bn_moving_var']);
    expect(s.listOutputs()).toEqual(['bn_output']);
    expect(BatchNorm({ data: x(), name: 'bn', outputMeanVar: true }).listOutputs()).toEqual(['bn_output', 'bn_mean', 'bn_var']);
  });

  it('initializes the moving statistics to zeros and ones on compose, unless told otherwise', () => {
    const s = BatchNorm({ data: x(), name: 'bn', moving_var: Variable('mv', { init: '["constant", {"value": 2}]' }) });
    expect(roundTrip(s, 'bn_moving_mean').__init__).toBe('["zero", {}]');
    expect(roundTrip(s, 'mv').__init__).toBe('["constant", {"value": 2}]');
    expect(roundTrip(s, 'bn_gamma').__init__).toBeUndefined();
  });

  it('infers one value per channel of the chosen axis, in both directions', () => {
    const s = BatchNorm({ data: x(), name: 'bn', axis: -1, outputMeanVar: true });
    const r = s.inferShape({ x: [8, 3, 5] });
    expect(r.argShapes).toEqual([[8, 3, 5], [5], [5]]);
    expect(r.auxShapes).toEqual([[5], [5]]);
    expect(r.outShapes).toEqual([[8, 3, 5], [5], [5]]);
    // The channel count from gamma, the rest from the output.
    const b = BatchNorm({ data: x(), name: 'bn' });
    expect(withOut(b).inferShape({ y: [2, 0, 4], bn_gamma: [7] }).argShapes[0]).toEqual([2, 7, 4]);
  });

  it('keeps float16 statistics in float32', () => {
    const s = BatchNorm({ data: x(), name: 'bn', outputMeanVar: true });
    expect(s.inferType({ x: 'float16' })).toEqual({
      argTypes: ['float16', 'float32', 'float32'],
      outTypes: ['float16', 'float32', 'float32'],
      auxTypes: ['float32', 'float32'],
    });
    expect(s.inferType({ x: 'float64' }).auxTypes).toEqual(['float64', 'float64']);
    expectInferError(
      () => s.inferType({ x: 'float16', bn_gamma: 'float16' }),
      'BatchNorm',
      'bn',
      /inconsistent type/,
      DTypeError,
    );
  });

  it('names node and op for a bad axis or mismatched statistics', () => {
    expectInferError(
      () => BatchNorm({ data: x(), name: 'bn', axis: 3 }).inferShape({ x: [2, 3] }),
      'BatchNorm',
      'bn',
      /axis 3 is out of range for 2 dimensions/,
    );
    const bn = BatchNorm({ data: x(), name: 'bn' });
    expectInferError(
      () => bn.inferShape({ x: [2, 3], bn_moving_var: [4] }),
      'BatchNorm',
      'bn',
      /inconsistent shape for input 'moving_var'/,
    );
  });

  it('round-trips its attributes', () => {
    const s = BatchNorm({ data: x(), name: 'bn', eps: 1e-5, momentum: 0.99, fixGamma: false, useGlobalStats: true, axis: 1 });
    expect(roundTrip(s, 'bn')).toEqual({
      axis: '1',
      eps: '1e-05',
      fix_gamma: 'False',
      momentum: '0.99',
      use_global_stats: 'True',
    });
  });

  it('differentiates data, gamma and beta but not the moving statistics', () => {
    const s = BatchNorm({ data: x(), name: 'bn' });
    expect(gradientShapes(s, ['x', 'bn_gamma', 'bn_beta'], { x: [4, 3, 2] })).toContain('_backward_BatchNorm');
    const bwd = s.gradient(['x']).outputs[0]!.node;
    expect(bwd.inputs.map((e) => e.node.outputName(e.index))).toEqual([
      'bn_output_head_grad',
      'bn_mean',
      'bn_var',
      'x',
      'bn_gamma',
      'bn_beta',
      'bn_moving_mean',
      'bn_moving_var',
    ]);
  });
});

describe('LayerNorm', () => {
  it('normalizes the last axis by default, with moments reduced to 1 on it', () => {
    const s = LayerNorm({ data: x(), name: 'ln', outputMeanVar: true });
    expect(s.listArguments()).toEqual(['x', 'ln_gamma', 'ln_beta']);
    expect(s.listOutputs()).toEqual(['ln_output', 'ln_mean', 'ln_std']);
    const r = s.inferShape({ x: [2, 3, 4] });
    expect(r.argShapes).toEqual([[2, 3, 4], [4], [4]]);
    expect(r.outShapes).toEqual([
      [2, 3, 4],
      [2, 3, 1],
      [2, 3, 1],
    ]);
    const mid = LayerNorm({ data: x(), name: 'ln', axis: 1 });
    expect(mid.inferShape({ x: [2, 3, 4] }).argShapes[1]).toEqual([3]);
  });

  it('infers data from the output, and its normalized axis from gamma', () => {
    const s = LayerNorm({ data: x(), name: 'ln' });
    expect(withOut(s).inferShape({ y: [5, 6] }).argShapes).toEqual([[5, 6], [6], [6], [5, 6]]);
    expect(withOut(s).inferShape({ y: [5, 0], ln_beta: [9] }).argShapes[0]).toEqual([5, 9]);
  });

  it('rejects a gamma of the wrong size and types alike', () => {
    const s = LayerNorm({ data: x(), name: 'ln' });
    expectInferError(() => s.inferShape({ x: [2, 3], ln_beta: [2] }), 'LayerNorm', 'ln', /inconsistent shape for input 'beta'/);
    expect(s.inferType({ x: 'float64' }).argTypes).toEqual(['float64', 'float64', 'float64']);
  });

  it('round-trips and differentiates data, gamma and beta', () => {
    const s = LayerNorm({ data: x(), name: 'ln', axis: 0, eps: 1e-3 });
    expect(roundTrip(s, 'ln')).toEqual({ axis: '0', eps: '0.001' });
    expect(gradientShapes(s, ['x', 'ln_gamma', 'ln_beta'], { x: [3, 2] })).toContain('_backward_LayerNorm');
  });
});

describe('Convolution', () => {
  it('infers weight, bias and output of a padded, strided 2-D convolution', () => {
    const s = Convolution({ data: x(), name: 'conv', kernel: [3, 3], numFilter: 8, stride: [2, 2], pad: [1, 1] });
    expect(s.listArguments()).toEqual(['x', 'conv_weight', 'conv_bias']);
    const r = s.inferShape({ x: [4, 3, 32, 31] });
    expect(r.argShapes).toEqual([[4, 3, 32, 31], [8, 3, 3, 3], [8]]);
    expect(r.outShapes).toEqual([[4, 8, 16, 16]]);
  });

  it('groups channels and dilates kernels', () => {
    const s = Convolution({ data: x(), name: 'conv', kernel: [3, 5], numFilter: 6, numGroup: 2, dilate: [2, 1], noBias: true });
    const r = s.inferShape({ x: [1, 4, 10, 10] });
    expect(r.argShapes).toEqual([
      [1, 4, 10, 10],
      [6, 2, 3, 5],
    ]);
    expect(r.outShapes).toEqual([[1, 6, 6, 6]]);
    // 1-D
    expect(Convolution({ data: x(), kernel: [3], numFilter: 2 }).inferShape({ x: [2, 5, 7] }).outShapes).toEqual([[2, 2, 5]]);
  });

  it('infers batch, channels and (stride 1) spatial sizes of data backward', () => {
    const s = Convolution({ data: x(), name: 'conv', kernel: [3, 3], numFilter: 4, pad: [1, 0] });
    const r = withOut(s).inferShape({ y: [2, 4, 9, 6], conv_weight: [4, 5, 3, 3] });
    expect(r.argShapes[0]).toEqual([2, 5, 9, 8]);
  });

  it('names node and op on impossible settings', () => {
    const conv = (o: object): Symbol => Convolution({ data: x(), name: 'conv', kernel: [3, 3], numFilter: 4, ...o });
    const bad = (o: object, shape: number[], what: RegExp): void =>
      expectInferError(() => conv(o).inferShape({ x: shape }), 'Convolution', 'conv', what);
    bad({}, [1, 3, 2, 8], /the kernel extent 3 exceeds the padded input 2/);
    bad({ numGroup: 2 }, [1, 3, 8, 8], /3 input channels are not a multiple of num_group 2/);
    bad({ numGroup: 3 }, [1, 3, 8, 8], /num_filter 4 is not a multiple of num_group 3/);
    bad({}, [1, 3, 8], /data must have 4 dimensions for a 2-D kernel/);
    bad({ stride: [1] }, [1, 3, 8, 8], /stride has 1 values for 2 spatial axes/);
    bad({ layout: 'NHWC' }, [1, 8, 8, 3], /layout NHWC is not supported for 2-D data \(only NCHW\)/);
    expect(() => Convolution({ data: x(), kernel: [3, 3] } as never)).toThrow(/required parameter 'num_filter'/);
  });

  it('types alike, round-trips, differentiates data, weight and bias', () => {
    const s = Convolution({ data: x(), name: 'conv', kernel: [2, 2], numFilter: 3, stride: [1, 1], layout: 'NCHW' });
    expect(s.inferType({ x: 'float64' }).argTypes).toEqual(['float64', 'float64', 'float64']);
    expect(roundTrip(s, 'conv')).toEqual({ kernel: '(2, 2)', layout: 'NCHW', num_filter: '3', stride: '(1, 1)' });
    expect(gradientShapes(s, ['x', 'conv_weight', 'conv_bias'], { x: [2, 2, 4, 4] })).toContain('_backward_Convolution');
    const noBias = Convolution({ data: x(), name: 'c', kernel: [1], numFilter: 2, noBias: true });
    expect(noBias.gradient(['x', 'c_weight']).outputs[1]!.node.numOutputs()).toBe(2);
  });

  it("hides a workspace of one image's column matrix and hands it to backward", () => {
    const s = Convolution({ data: x(), name: 'conv', kernel: [3, 2], numFilter: 4, stride: [2, 1] });
    expect(s.listOutputs()).toEqual(['conv_output']);
    const node = s.outputs[0]!.node;
    expect(node.numOutputs()).toBe(2);
    // (C·KH·KW) rows by (OH·OW) columns: 3·3·2 by 3·4.
    const shapes = inferGraphShapes(s, { x: [2, 3, 7, 5] });
    expect(shapes.of({ node, index: 1, version: 0 })).toEqual([216]);
    expect(s.inferShape({ x: [2, 3, 7, 5] }).outShapes).toEqual([[2, 4, 3, 4]]);
    const bwd = s.gradient(['x', 'conv_weight', 'conv_bias']).outputs[0]!.node;
    expect(bwd.inputs.map((e) => e.node.outputName(e.index))).toEqual([
      'conv_output_head_grad',
      'x',
      'conv_weight',
      'conv_bias',
      'conv_workspace',
    ]);
  });
});

describe('Pooling', () => {
  const pool = (o: object): Symbol => Pooling({ data: x(), name: 'pool', kernel: [3, 3], ...o });

  it('follows the valid, full and same conventions', () => {
    expect(pool({ stride: [2, 2] }).inferShape({ x: [1, 2, 8, 7] }).outShapes).toEqual([[1, 2, 3, 3]]);
    expect(pool({ stride: [2, 2], poolingConvention: 'full' }).inferShape({ x: [1, 2, 8, 7] }).outShapes).toEqual([[1, 2, 4, 3]]);
    expect(pool({ pad: [1, 1], poolType: 'avg' }).inferShape({ x: [1, 2, 5, 5] }).outShapes).toEqual([[1, 2, 5, 5]]);
    const same = Pooling({ data: x(), kernel: [2], stride: [3], poolingConvention: 'same' });
    expect(same.inferShape({ x: [2, 3, 10] }).outShapes).toEqual([[2, 3, 4]]);
  });

  it('pools globally without a kernel', () => {
    const s = Pooling({ data: x(), name: 'gp', globalPool: true, poolType: 'avg' });
    expect(s.inferShape({ x: [2, 5, 7, 3] }).outShapes).toEqual([[2, 5, 1, 1]]);
  });

  it('infers batch and channels backward', () => {
    expect(withOut(pool({})).inferShapePartial({ y: [3, 4, 2, 2] }).argShapes[0]).toEqual([3, 4, 0, 0]);
  });

  it('names node and op on impossible settings', () => {
    const bad = (o: object, shape: number[], what: RegExp): void =>
      expectInferError(() => pool(o).inferShape({ x: shape }), 'Pooling', 'pool', what);
    bad({}, [1, 2, 2, 8], /the kernel \(3\) exceeds the padded input \(2\)/);
    bad({}, [1, 2, 8], /kernel \(3, 3\) does not fit 1-D pooling/);
    bad({ poolType: 'lp' }, [1, 2, 8, 8], /lp pooling needs p_value/);
    bad({ poolingConvention: 'same' }, [1, 2, 8, 8], /'same' supports 1-D pooling/);
    bad({}, [8, 8], /data must have 3 to 5 dimensions/);
  });

  it('types alike, round-trips, differentiates with data and output', () => {
    const s = pool({ poolType: 'max', globalPool: false, countIncludePad: false, pValue: 2 });
    expect(s.inferType({ x: 'float64' }).outTypes).toEqual(['float64']);
    expect(roundTrip(s, 'pool')).toEqual({
      count_include_pad: 'False',
      global_pool: 'False',
      kernel: '(3, 3)',
      p_value: '2',
      pool_type: 'max',
    });
    gradientShapes(s, ['x'], { x: [1, 1, 4, 4] });
    const bwd = s.gradient(['x']).outputs[0]!.node;
    expect(bwd.inputs.map((e) => e.node.outputName(e.index))).toEqual(['pool_output_head_grad', 'x', 'pool_output']);
    expect(findOp('_backward_Pooling')!.inplace).toBeUndefined();
  });
});

describe('reverse and zeros', () => {
  it('reverse keeps the shape, checks the axes and reverses its gradient', () => {
    const s = reverse({ data: x(), axis: [0, -1], name: 'rev' });
    expect(withOut(s).inferShape({ y: [2, 3] }).argShapes[0]).toEqual([2, 3]);
    expectInferError(
      () => reverse({ data: x(), axis: [2], name: 'rev' }).inferShape({ x: [2, 3] }),
      'reverse',
      'rev',
      /axis 2 is out of range/,
    );
    expect(s.inferType({ x: 'int32' }).outTypes).toEqual(['int32']);
    expect(flip({ data: x(), axis: [0] }).outputs[0]!.node.op!.name).toBe('reverse');
    expect(roundTrip(s, 'rev')).toEqual({ axis: '(0, -1)' });
    expect(gradientShapes(s, ['x'], { x: [2, 3] })).toContain('_backward_reverse');
  });

  it('zeros takes shape and dtype from its parameters, 0 dims from the graph', () => {
    const z = zeros({ shape: [0, 4], name: 'z' });
    expect(roundTrip(z, 'z')).toEqual({ dtype: 'float32', shape: '(0, 4)' });
    expect(withOut(z).inferShape({ y: [3, 4] }).outShapes).toEqual([[3, 4]]);
    expect(zeros({ shape: [2], dtype: 'int32' }).inferType().outTypes).toEqual(['int32']);
    expectInferError(() => withOut(z).inferShape({ y: [3, 5] }), 'elemwise_add', 'plus', /inconsistent shape/);
    expect(() => zeros({ shape: [2], name: 'z' }).inferShape({})).not.toThrow();
    expectInferError(() => zeros({ name: 'z' }).inferShape({}), '_zeros', 'z', /cannot infer the shape of output 'z_output'/);
  });
});
