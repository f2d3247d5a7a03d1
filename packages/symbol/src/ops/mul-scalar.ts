// _mul_scalar: data * scalar; its gradient is the output gradient times the same scalar.

import { defineUnary, SCALAR_ATTRS, UNARY_INPLACE, type ScalarParams } from './define-unary.js';

export type MulScalarParams = ScalarParams;

export const { op: mulScalar, backward: mulScalarBackward } = defineUnary<ScalarParams>({
  name: '_mul_scalar',
  aliases: ['_MulScalar'],
  describe: 'Multiplies an array by a scalar.',
  attrs: SCALAR_ATTRS,
  kernel: 'mul_scalar',
  inplace: UNARY_INPLACE,
  gradient: { op: '_backward_mul_scalar', use: 'none', kernel: 'mul_scalar', hidden: { inplace: UNARY_INPLACE } },
});
