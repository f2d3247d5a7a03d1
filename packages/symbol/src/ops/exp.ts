// exp: e^x. As in MXNet its gradient is `_mul` (elemwise_mul) of the output gradient and the
// output, so it has no backward op of its own.

import { defineUnary, UNARY_INPLACE } from './define-unary.js';

export const { op: exp } = defineUnary({
  name: 'exp',
  describe: 'e^x, element-wise.',
  kernel: 'exp',
  inplace: UNARY_INPLACE,
  gradient: { op: '_mul', use: 'out', kernel: 'elemwise_mul' },
});
