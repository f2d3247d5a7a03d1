// _div_scalar: data / scalar; the gradient is the output gradient divided by the same scalar, through
// `_div_scalar` itself (with the forward node's parameters), as in MXNet.

import { defineUnary, SCALAR_ATTRS, UNARY_INPLACE, type ScalarParams } from './define-unary.js';

export const { op: divScalar } = defineUnary<ScalarParams>({
  name: '_div_scalar',
  aliases: ['_DivScalar'],
  describe: 'Divides an array by a scalar.',
  attrs: SCALAR_ATTRS,
  kernel: 'div_scalar',
  inplace: UNARY_INPLACE,
  gradient: { op: '_div_scalar', use: 'none', kernel: 'div_scalar' },
});
