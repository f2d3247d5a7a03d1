// Dropout: while training (always, with mode 'always') zeroes each element with probability p and
// scales the others by 1/(1-p); with `axes`, one draw is shared along those axes (variational
// dropout). The drawn mask is a hidden second output, which the backward pass multiplies by.

import { DROPOUT_MODES } from '@bkt/ndarray/core';
import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp, type OpDef } from '../op-def.js';
import { defineBackward, normalizeAxis, unify } from './common.js';

const spec = {
  p: attr.float({ default: 0.5, min: 0, max: 1, describe: 'Fraction of the input that is dropped.' }),
  mode: attr.enumOf(DROPOUT_MODES, { default: 'training', describe: 'Drop only while training, or always.' }),
  axes: attr.shape({ default: [], describe: 'Axes along which one mask value is shared.' }),
  cudnnOff: attr.optional(attr.bool(false), { default: false, describe: 'Ignored (no cuDNN).' }),
};
export type DropoutParams = ParamsOf<typeof spec>;

export const dropout = defineOp<DropoutParams>({
  name: 'Dropout',
  describe: 'Zeroes random elements and rescales the rest.',
  attrs: new AttrSchema(spec),
  inputNames: () => ['data'],
  numOutputs: () => 2,
  numVisibleOutputs: () => 1,
  outputNames: () => ['output', 'mask'],
  inferShape(ctx) {
    unify(ctx, [
      ['in', 0],
      ['out', 0],
    ]);
    const d = ctx.inputs[0];
    if (!d) return;
    const shared = ctx.params.axes.map((a) => normalizeAxis(a, d.length, ctx.fail));
    ctx.setOutput(
      1,
      d.map((x, i) => (shared.includes(i) ? 1 : x)),
    );
  },
  inferType(ctx) {
    unify(ctx, [
      ['in', 0],
      ['out', 0],
      ['out', 1],
    ]);
  },
  gradient(ctx) {
    return [ctx.entry(ctx.makeNode('_backward_Dropout', [ctx.ograd(0), ctx.output(1)]), 0)];
  },
  kernels: { forward: 'dropout' },
  inplace: () => [[0, 0]],
});

export const dropoutBackward: OpDef<DropoutParams> = {
  ...defineBackward(dropout, {
    name: '_backward_Dropout',
    kernel: 'dropout_backward',
    inputs: () => [
      ['out_grad', ['fwdOut', 0]],
      ['mask', ['fwdOut', 1]],
    ],
    numOutputs: () => 1,
  }),
  inplace: () => [[0, 0]],
};
