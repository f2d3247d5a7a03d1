// _minus_scalar: data - scalar; the gradient is a `_copy` of the output gradient.

import { defineUnary, SCALAR_ATTRS, UNARY_INPLACE, type ScalarParams } from './define-unary.js';

export const { op: minusScalar } = defineUnary<ScalarParams>({
  name: '_minus_scalar',
  aliases: ['_MinusScalar'],
  describe: 'Subtracts a scalar from an array.',
  attrs: SCALAR_ATTRS,
  kernel: 'minus_scalar',
  inplace: UNARY_INPLACE,
  gradient: { op: '_copy', use: 'none', attrs: 'hidden', kernel: 'copy' },
});
