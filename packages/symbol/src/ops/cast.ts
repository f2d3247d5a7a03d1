// Cast (`cast`): converts the elements to `dtype`. The input may be of any type; the gradient
// `_backward_cast` casts the output gradient back to it. bfloat16 (MXNet's type code 12) is a Cast
// target as in MXNet 1.9, rounded to nearest even.

import type { DType } from '@bkt/ndarray/core';
import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp } from '../op-def.js';
import { defineBackward, DTYPES, elementwise } from './common.js';

const spec = {
  dtype: attr.enumOf([...DTYPES, 'bool', 'bfloat16'], { required: true, describe: 'Type of the output.' }),
};
export type CastParams = ParamsOf<typeof spec>;

export const cast = defineOp<CastParams>({
  name: 'Cast',
  aliases: ['cast'],
  describe: 'Casts the elements to another type.',
  attrs: new AttrSchema(spec),
  inputNames: () => ['data'],
  inferShape: elementwise,
  inferType: (ctx) => ctx.setOutput(0, ctx.params.dtype as DType),
  gradient(ctx) {
    return [ctx.entry(ctx.makeNode('_backward_cast', [ctx.ograd(0)]), 0)];
  },
  kernels: { forward: 'cast' },
  inplace: () => [[0, 0]],
});

export const castBackward = defineBackward(cast, {
  name: '_backward_cast',
  kernel: 'cast',
  inputs: () => [['out_grad', ['fwdOut', 0]]],
  numOutputs: () => 1,
  inplace: () => [[0, 0]],
});
