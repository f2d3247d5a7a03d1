// argmax: the index of the first maximum along `axis` (of the flattened array when None), as a
// float of the input's type. Not differentiable: zero gradient, as MXNet.

import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp } from '../op-def.js';
import { elementwise, reduceRule, zeroGradients } from './common.js';

const spec = {
  axis: attr.optional(attr.int(), { describe: 'The axis to search; None searches the flattened array.' }),
  keepdims: attr.bool(false, { describe: 'Keep the searched axis as an axis of length 1.' }),
};
export type ArgmaxParams = ParamsOf<typeof spec>;

export const argmax = defineOp<ArgmaxParams>({
  name: 'argmax',
  describe: 'Indices of the maximum values along an axis.',
  attrs: new AttrSchema(spec),
  inputNames: () => ['data'],
  // MXNet's ReduceAxisShapeImpl: a reduction over the one axis, or over all of them.
  inferShape: (ctx) => reduceRule(ctx, ctx.params.axis === null ? null : [ctx.params.axis], ctx.params.keepdims, false),
  inferType: elementwise,
  gradient: (ctx) => zeroGradients(ctx),
  kernels: { forward: 'argmax' },
});
