// log: natural logarithm; gradient out_grad / x.

import { defineUnary, UNARY_BACKWARD_INPLACE, UNARY_INPLACE } from './define-unary.js';

export const { op: log, backward: logBackward } = defineUnary({
  name: 'log',
  describe: 'Natural logarithm, element-wise.',
  kernel: 'log',
  inplace: UNARY_INPLACE,
  gradient: { op: '_backward_log', use: 'in', kernel: 'log_backward', hidden: { inplace: UNARY_BACKWARD_INPLACE } },
});
