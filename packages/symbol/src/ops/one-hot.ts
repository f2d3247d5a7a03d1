// one_hot: for integer indices of shape S, an array of shape S + (depth,) holding on_value at each
// index and off_value elsewhere, of type `dtype`. Not differentiable: zero gradient, as MXNet.

import type { DType } from '@bkt/ndarray/core';
import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp } from '../op-def.js';
import { DTYPES, zeroGradients } from './common.js';

const spec = {
  depth: attr.int({ required: true, min: 0, describe: 'Length of the one-hot axis.' }),
  onValue: attr.float({ default: 1, describe: 'Value at the indices.' }),
  offValue: attr.float({ default: 0, describe: 'Value elsewhere.' }),
  dtype: attr.enumOf(DTYPES, { default: 'float32', describe: 'Type of the output.' }),
};
export type OneHotParams = ParamsOf<typeof spec>;

export const oneHot = defineOp<OneHotParams>({
  name: 'one_hot',
  describe: 'One-hot encodes integer indices.',
  attrs: new AttrSchema(spec),
  inputNames: () => ['indices'],
  inferShape(ctx) {
    const { depth } = ctx.params;
    const i = ctx.inputs[0];
    if (i) ctx.setOutput(0, [...i, depth]);
    const o = ctx.outputs[0];
    if (!o) return;
    if (o.length === 0) ctx.fail('the output must have at least one dimension');
    ctx.setOutput(0, [...o.slice(0, -1), depth]);
    ctx.setInput(0, o.slice(0, -1));
  },
  // The indices may be of any type; the caller says which.
  inferType: (ctx) => ctx.setOutput(0, ctx.params.dtype as DType),
  gradient: (ctx) => zeroGradients(ctx),
  kernels: { forward: 'one_hot' },
});
