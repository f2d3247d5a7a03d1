// _greater_equal_scalar: 1 where data >= scalar, else 0, in the input's type. A comparison: zero gradient.

import { defineUnary, SCALAR_ATTRS, UNARY_INPLACE, type ScalarParams } from './define-unary.js';

export const { op: greaterEqualScalar } = defineUnary<ScalarParams>({
  name: '_greater_equal_scalar',
  aliases: ['_GreaterEqualScalar'],
  describe: 'Compares an array with a scalar (data >= scalar).',
  attrs: SCALAR_ATTRS,
  kernel: 'greater_equal_scalar',
  inplace: UNARY_INPLACE,
  gradient: 'zero',
});
