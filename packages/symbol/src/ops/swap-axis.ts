// SwapAxis (`swapaxes`): exchanges axes dim1 and dim2. Its gradient `_backward_SwapAxis` swaps the
// same axes of the output gradient.

import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp } from '../op-def.js';
import { defineBackward, elementwise, normalizeAxis, permuteRule } from './common.js';

const spec = {
  dim1: attr.int({ default: 0, describe: 'The first axis.' }),
  dim2: attr.int({ default: 0, describe: 'The second axis.' }),
};
export type SwapAxisParams = ParamsOf<typeof spec>;

export const swapAxis = defineOp<SwapAxisParams>({
  name: 'SwapAxis',
  aliases: ['swapaxes'],
  describe: 'Interchanges two axes.',
  attrs: new AttrSchema(spec),
  inputNames: () => ['data'],
  inferShape: (ctx) =>
    permuteRule(ctx, (ndim) => {
      const a = normalizeAxis(ctx.params.dim1, ndim, ctx.fail);
      const b = normalizeAxis(ctx.params.dim2, ndim, ctx.fail);
      return Array.from({ length: ndim }, (_, i) => (i === a ? b : i === b ? a : i));
    }),
  inferType: elementwise,
  gradient(ctx) {
    return [ctx.entry(ctx.makeNode('_backward_SwapAxis', [ctx.ograd(0)]), 0)];
  },
  kernels: { forward: 'swap_axis' },
});

export const swapAxisBackward = defineBackward(swapAxis, {
  name: '_backward_SwapAxis',
  kernel: 'swap_axis',
  inputs: () => [['out_grad', ['fwdOut', 0]]],
  numOutputs: () => 1,
});
