// reciprocal: 1 / x; gradient -out_grad / x^2.

import { defineUnary, UNARY_BACKWARD_INPLACE, UNARY_INPLACE } from './define-unary.js';

export const { op: reciprocal, backward: reciprocalBackward } = defineUnary({
  name: 'reciprocal',
  describe: '1 / x, element-wise.',
  kernel: 'reciprocal',
  inplace: UNARY_INPLACE,
  gradient: { op: '_backward_reciprocal', use: 'in', kernel: 'reciprocal_backward', hidden: { inplace: UNARY_BACKWARD_INPLACE } },
});
