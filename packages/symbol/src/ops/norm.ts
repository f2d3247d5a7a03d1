// norm: the L1 or L2 norm (`ord`) over the given axes (all by default), as a reduction with
// keepdims; `out_dtype` sets the output type. Its gradient reads the data and the output
// (MXNet's ReduceGrad, `_backward_norm`).

import type { DType } from '@bkt/ndarray/core';
import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp } from '../op-def.js';
import { defineBackward, elementwise, reduceRule } from './common.js';
import { axesOf, reduceBackwardInputs, reduceGradient } from './define-reduce.js';

const spec = {
  ord: attr.int({ default: 2, describe: 'Order of the norm: 1 or 2.' }),
  axis: attr.optional(attr.axes(), { describe: 'Axes to reduce; None reduces all.' }),
  outDtype: attr.optional(attr.enumOf(['float16', 'float32', 'float64', 'int64', 'int32', 'int8']), {
    describe: 'Type of the output; the input type when None.',
  }),
  keepdims: attr.bool(false, { describe: 'Keep the reduced axes as axes of length 1.' }),
};
export type NormParams = ParamsOf<typeof spec>;

export const norm = defineOp<NormParams>({
  name: 'norm',
  describe: 'The L1 or L2 norm over the given axes.',
  attrs: new AttrSchema(spec),
  inputNames: () => ['data'],
  inferShape(ctx) {
    const { ord, axis, keepdims } = ctx.params;
    if (ord !== 1 && ord !== 2) ctx.fail(`norm only supports ord=1 and ord=2, got ord=${ord}`);
    reduceRule(ctx, axesOf(axis), keepdims, false);
  },
  inferType(ctx) {
    const t = ctx.params.outDtype;
    if (t === null) elementwise(ctx);
    else ctx.setOutput(0, t as DType);
  },
  gradient: (ctx) => reduceGradient(ctx, '_backward_norm', 'inout'),
  kernels: { forward: 'norm' },
});

export const normBackward = defineBackward(norm, {
  name: '_backward_norm',
  kernel: 'norm_backward',
  inputs: () => reduceBackwardInputs('inout'),
  numOutputs: () => 1,
});
