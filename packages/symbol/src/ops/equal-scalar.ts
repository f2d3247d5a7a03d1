// _equal_scalar: 1 where data == scalar, else 0, in the input's type. A comparison: zero gradient.

import { defineUnary, SCALAR_ATTRS, UNARY_INPLACE, type ScalarParams } from './define-unary.js';

export const { op: equalScalar } = defineUnary<ScalarParams>({
  name: '_equal_scalar',
  aliases: ['_EqualScalar'],
  describe: 'Compares an array with a scalar (data == scalar).',
  attrs: SCALAR_ATTRS,
  kernel: 'equal_scalar',
  inplace: UNARY_INPLACE,
  gradient: 'zero',
});
