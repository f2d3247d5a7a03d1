// BatchNorm: normalizes each channel (axis `axis`) by the batch mean and variance, or by the
// moving statistics with use_global_stats, then scales by gamma (1 with fix_gamma) and shifts by
// beta. The moving statistics are auxiliary states the forward pass updates while training:
// moving = moving·momentum + batch·(1 - momentum). The batch mean and inverse standard deviation
// are hidden outputs (visible with output_mean_var) that the backward pass reads.

import type { DType } from '@bkt/ndarray/core';
import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp } from '../op-def.js';
import { defineBackward, normalizeAxis, unify, write, type Ref } from './common.js';

const spec = {
  eps: attr.float({ default: 1e-3, describe: 'Added to the variance before the square root.' }),
  momentum: attr.float({ default: 0.9, describe: 'Decay of the moving statistics.' }),
  fixGamma: attr.bool(true, { describe: 'Use gamma = 1 and give it no gradient.' }),
  useGlobalStats: attr.bool(false, { describe: 'Normalize by the moving statistics, even while training.' }),
  outputMeanVar: attr.bool(false, { describe: 'Expose the batch mean and inverse std as outputs.' }),
  axis: attr.int({ default: 1, describe: 'The channel axis.' }),
  cudnnOff: attr.bool(false, { describe: 'Ignored (no cuDNN).' }),
  minCalibRange: attr.optional(attr.float(), { describe: 'Quantization calibration (unused).' }),
  maxCalibRange: attr.optional(attr.float(), { describe: 'Quantization calibration (unused).' }),
};
export type BatchNormParams = ParamsOf<typeof spec>;

// gamma, beta, moving_mean, moving_var, and the mean and var outputs: one value per channel.
const CHANNEL_VECTORS: readonly Ref[] = [
  ['in', 1],
  ['in', 2],
  ['in', 3],
  ['in', 4],
  ['out', 1],
  ['out', 2],
];

export const batchNorm = defineOp<BatchNormParams>({
  name: 'BatchNorm',
  describe: 'Batch normalization with moving statistics.',
  attrs: new AttrSchema(spec),
  inputNames: () => ['data', 'gamma', 'beta'],
  auxNames: () => ['moving_mean', 'moving_var'],
  numOutputs: () => 3,
  numVisibleOutputs: (p) => (p.outputMeanVar ? 3 : 1),
  outputNames: () => ['output', 'mean', 'var'],
  inferShape(ctx) {
    unify(ctx, [
      ['in', 0],
      ['out', 0],
    ]);
    const d = ctx.inputs[0];
    const axis = d ? normalizeAxis(ctx.params.axis, d.length, ctx.fail) : 0;
    // Data first, so that a conflict is reported on the vector that disagrees with it.
    if (d && d[axis] !== 0) for (const r of CHANNEL_VECTORS) write(ctx, r, [d[axis]!]);
    unify(ctx, CHANNEL_VECTORS);
    const c = ctx.inputs[1];
    if (c && c.length !== 1) ctx.fail('gamma, beta and the moving statistics must be vectors');
    if (d && c && c[0] !== 0)
      ctx.setInput(
        0,
        d.map((x, i) => (i === axis ? c[0]! : x)),
      );
    unify(ctx, [
      ['in', 0],
      ['out', 0],
    ]);
  },
  inferType(ctx) {
    // Parameters and statistics of float16 data are float32 (MXNet's AccReal), else the data type.
    unify(ctx, [
      ['in', 0],
      ['out', 0],
    ]);
    const d = ctx.inputs[0];
    if (d === undefined) return;
    const param: DType = d === 'float16' ? 'float32' : d;
    for (const [kind, i] of CHANNEL_VECTORS) {
      if (kind === 'in') ctx.setInput(i, param);
      else ctx.setOutput(i, param);
    }
  },
  gradient(ctx) {
    const ins = [ctx.ograd(0), ctx.output(1), ctx.output(2), ...[0, 1, 2, 3, 4].map((i) => ctx.input(i))];
    const bwd = ctx.makeNode('_backward_BatchNorm', ins);
    // The moving statistics are not learned: no gradient.
    return [ctx.entry(bwd, 0), ctx.entry(bwd, 1), ctx.entry(bwd, 2), null, null];
  },
  kernels: { forward: 'batch_norm' },
  setInputVarAttrOnCompose(_p, variable, index) {
    if (variable.attrs.__init__ !== undefined) return;
    if (index === 3) variable.setAttr('__init__', '["zero", {}]');
    else if (index === 4) variable.setAttr('__init__', '["one", {}]');
  },
});

export const batchNormBackward = defineBackward(batchNorm, {
  name: '_backward_BatchNorm',
  kernel: 'batch_norm_backward',
  inputs: () => [
    ['out_grad', ['fwdOut', 0]],
    ['mean', ['fwdOut', 1]],
    ['var', ['fwdOut', 2]],
    ['data', ['fwdIn', 0]],
    ['gamma', ['fwdIn', 1]],
    ['beta', ['fwdIn', 2]],
    ['moving_mean', ['fwdIn', 3]],
    ['moving_var', ['fwdIn', 4]],
  ],
  numOutputs: () => 3,
});
