// abs: |x|; gradient sign(x) * out_grad.

import { defineUnary, UNARY_BACKWARD_INPLACE, UNARY_INPLACE } from './define-unary.js';

export const { op: abs, backward: absBackward } = defineUnary({
  name: 'abs',
  describe: 'Absolute value, element-wise.',
  kernel: 'abs',
  inplace: UNARY_INPLACE,
  gradient: { op: '_backward_abs', use: 'in', kernel: 'abs_backward', hidden: { inplace: UNARY_BACKWARD_INPLACE } },
});
