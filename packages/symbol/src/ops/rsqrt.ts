// rsqrt: 1 / sqrt(x); gradient -out_grad / (2 * x^1.5), from the input.

import { defineUnary, UNARY_BACKWARD_INPLACE, UNARY_INPLACE } from './define-unary.js';

export const { op: rsqrt, backward: rsqrtBackward } = defineUnary({
  name: 'rsqrt',
  describe: '1 / sqrt(x), element-wise.',
  kernel: 'rsqrt',
  inplace: UNARY_INPLACE,
  gradient: { op: '_backward_rsqrt', use: 'in', kernel: 'rsqrt_backward', hidden: { inplace: UNARY_BACKWARD_INPLACE } },
});
