// _mul_scalar: data * scalar.

import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp } from '../op-def.js';
import { defineBackward, elementwise } from './common.js';

const spec = {
  scalar: attr.float({ required: true, describe: 'The multiplier.' }),
};
export type MulScalarParams = ParamsOf<typeof spec>;

export const mulScalar = defineOp<MulScalarParams>({
  name: '_mul_scalar',
  aliases: ['_MulScalar'],
  describe: 'Multiplies an array by a scalar.',
  attrs: new AttrSchema(spec),
  inputNames: () => ['data'],
  inferShape: elementwise,
  inferType: elementwise,
  gradient(ctx) {
    return [ctx.entry(ctx.makeNode('_backward_mul_scalar', [ctx.ograd(0)]), 0)];
  },
  kernels: { forward: 'mul_scalar', backward: 'mul_scalar' },
});

/** The gradient is the output gradient times the same scalar. */
export const mulScalarBackward = defineBackward(mulScalar, {
  name: '_backward_mul_scalar',
  kernel: 'mul_scalar',
  inputs: () => [['out_grad', ['fwdOut', 0]]],
  numOutputs: () => 1,
});
