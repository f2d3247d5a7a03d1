// sqrt: square root; gradient out_grad / (2 * out), from the output.

import { defineUnary, UNARY_BACKWARD_INPLACE, UNARY_INPLACE } from './define-unary.js';

export const { op: sqrt, backward: sqrtBackward } = defineUnary({
  name: 'sqrt',
  describe: 'Square root, element-wise.',
  kernel: 'sqrt',
  inplace: UNARY_INPLACE,
  gradient: { op: '_backward_sqrt', use: 'out', kernel: 'sqrt_backward', hidden: { inplace: UNARY_BACKWARD_INPLACE } },
});
