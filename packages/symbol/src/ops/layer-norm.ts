// LayerNorm: normalizes along `axis` by the mean and standard deviation over that axis, then
// scales by gamma and shifts by beta (one value per element of the axis). The mean and standard
// deviation (the axis reduced to 1) are hidden outputs, visible with output_mean_var.

import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp } from '../op-def.js';
import { defineBackward, elementwise, normalizeAxis, unify } from './common.js';

const spec = {
  axis: attr.int({ default: -1, describe: 'The axis to normalize along.' }),
  eps: attr.float({ default: 1e-5, describe: 'Added to the variance before the square root.' }),
  outputMeanVar: attr.bool(false, { describe: 'Expose the mean and standard deviation as outputs.' }),
};
export type LayerNormParams = ParamsOf<typeof spec>;

export const layerNorm = defineOp<LayerNormParams>({
  name: 'LayerNorm',
  describe: 'Layer normalization along one axis.',
  attrs: new AttrSchema(spec),
  inputNames: () => ['data', 'gamma', 'beta'],
  numOutputs: () => 3,
  numVisibleOutputs: (p) => (p.outputMeanVar ? 3 : 1),
  outputNames: () => ['output', 'mean', 'std'],
  inferShape(ctx) {
    unify(ctx, [
      ['in', 0],
      ['out', 0],
    ]);
    unify(ctx, [
      ['out', 1],
      ['out', 2],
    ]);
    // The moments give every axis of data but the normalized one.
    const m = ctx.outputs[1];
    if (m) {
      const axis = normalizeAxis(ctx.params.axis, m.length, ctx.fail);
      ctx.setInput(
        0,
        m.map((x, i) => (i === axis ? 0 : x)),
      );
    }
    const d = ctx.inputs[0];
    const axis = d ? normalizeAxis(ctx.params.axis, d.length, ctx.fail) : 0;
    // Data first, so that a conflict is reported on the vector that disagrees with it.
    if (d && d[axis] !== 0) {
      ctx.setInput(1, [d[axis]!]);
      ctx.setInput(2, [d[axis]!]);
    }
    unify(ctx, [
      ['in', 1],
      ['in', 2],
    ]);
    if (!d) return;
    const g = ctx.inputs[1];
    if (g && g.length !== 1) ctx.fail('gamma and beta must be vectors');
    if (g && g[0] !== 0)
      ctx.setInput(
        0,
        d.map((x, i) => (i === axis ? g[0]! : x)),
      );
    const full = ctx.inputs[0]!;
    ctx.setOutput(
      1,
      full.map((x, i) => (i === axis ? 1 : x)),
    );
    ctx.setOutput(
      2,
      full.map((x, i) => (i === axis ? 1 : x)),
    );
    unify(ctx, [
      ['in', 0],
      ['out', 0],
    ]);
  },
  inferType: elementwise,
  gradient(ctx) {
    const bwd = ctx.makeNode('_backward_LayerNorm', [ctx.ograd(0), ctx.input(0), ctx.input(1), ctx.output(1), ctx.output(2)]);
    return [ctx.entry(bwd, 0), ctx.entry(bwd, 1), ctx.entry(bwd, 2)];
  },
  kernels: { forward: 'layer_norm' },
});

export const layerNormBackward = defineBackward(layerNorm, {
  name: '_backward_LayerNorm',
  kernel: 'layer_norm_backward',
  inputs: () => [
    ['out_grad', ['fwdOut', 0]],
    ['data', ['fwdIn', 0]],
    ['gamma', ['fwdIn', 1]],
    ['mean', ['fwdOut', 1]],
    ['std', ['fwdOut', 2]],
  ],
  numOutputs: () => 3,
});
