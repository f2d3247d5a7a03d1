// square: x^2; gradient 2 * x * out_grad.

import { defineUnary, UNARY_BACKWARD_INPLACE, UNARY_INPLACE } from './define-unary.js';

export const { op: square, backward: squareBackward } = defineUnary({
  name: 'square',
  describe: 'x^2, element-wise.',
  kernel: 'square',
  inplace: UNARY_INPLACE,
  gradient: { op: '_backward_square', use: 'in', kernel: 'square_backward', hidden: { inplace: UNARY_BACKWARD_INPLACE } },
});
