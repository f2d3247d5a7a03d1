// sigmoid: 1 / (1 + e^-x); gradient out_grad * out * (1 - out), from the output.

import { defineUnary, UNARY_BACKWARD_INPLACE, UNARY_INPLACE } from './define-unary.js';

export const { op: sigmoid, backward: sigmoidBackward } = defineUnary({
  name: 'sigmoid',
  describe: '1 / (1 + e^-x), element-wise.',
  kernel: 'sigmoid',
  inplace: UNARY_INPLACE,
  gradient: { op: '_backward_sigmoid', use: 'out', kernel: 'sigmoid_backward', hidden: { inplace: UNARY_BACKWARD_INPLACE } },
});
