// softsign: x / (1 + |x|); gradient out_grad / (1 + |x|)^2, from the input. (softrelu has no
// operator of its own in MXNet: it is only an Activation type.)

import { defineUnary, UNARY_BACKWARD_INPLACE, UNARY_INPLACE } from './define-unary.js';

export const { op: softsign, backward: softsignBackward } = defineUnary({
  name: 'softsign',
  describe: 'x / (1 + |x|), element-wise.',
  kernel: 'softsign',
  inplace: UNARY_INPLACE,
  gradient: { op: '_backward_softsign', use: 'in', kernel: 'softsign_backward', hidden: { inplace: UNARY_BACKWARD_INPLACE } },
});
