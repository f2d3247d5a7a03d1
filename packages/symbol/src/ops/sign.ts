// sign: -1, 0 or 1. MXNet still builds `_backward_sign` (which yields zeros) from the input.

import { defineUnary, UNARY_BACKWARD_INPLACE, UNARY_INPLACE } from './define-unary.js';

export const { op: sign, backward: signBackward } = defineUnary({
  name: 'sign',
  describe: 'Sign (-1, 0 or 1), element-wise.',
  kernel: 'sign',
  inplace: UNARY_INPLACE,
  gradient: { op: '_backward_sign', use: 'in', kernel: 'sign_backward', hidden: { inplace: UNARY_BACKWARD_INPLACE } },
});
