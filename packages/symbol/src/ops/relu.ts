// relu: max(x, 0); gradient out_grad where out > 0, from the output.

import { defineUnary, UNARY_BACKWARD_INPLACE, UNARY_INPLACE } from './define-unary.js';

export const { op: relu, backward: reluBackward } = defineUnary({
  name: 'relu',
  describe: 'max(x, 0), element-wise.',
  kernel: 'relu',
  inplace: UNARY_INPLACE,
  gradient: { op: '_backward_relu', use: 'out', kernel: 'relu_backward', hidden: { inplace: UNARY_BACKWARD_INPLACE } },
});
