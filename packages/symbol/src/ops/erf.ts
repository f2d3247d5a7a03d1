// erf: the Gauss error function; gradient out_grad * 2/sqrt(pi) * exp(-x^2), from the input.

import { defineUnary, UNARY_BACKWARD_INPLACE, UNARY_INPLACE } from './define-unary.js';

export const { op: erf, backward: erfBackward } = defineUnary({
  name: 'erf',
  describe: 'The Gauss error function, element-wise.',
  kernel: 'erf',
  inplace: UNARY_INPLACE,
  gradient: { op: '_backward_erf', use: 'in', kernel: 'erf_backward', hidden: { inplace: UNARY_BACKWARD_INPLACE } },
});
