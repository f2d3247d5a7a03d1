// tanh: hyperbolic tangent; gradient out_grad * (1 - out^2), from the output.

import { defineUnary, UNARY_BACKWARD_INPLACE, UNARY_INPLACE } from './define-unary.js';

export const { op: tanh, backward: tanhBackward } = defineUnary({
  name: 'tanh',
  describe: 'Hyperbolic tangent, element-wise.',
  kernel: 'tanh',
  inplace: UNARY_INPLACE,
  gradient: { op: '_backward_tanh', use: 'out', kernel: 'tanh_backward', hidden: { inplace: UNARY_BACKWARD_INPLACE } },
});
