// _rminus_scalar: scalar - data; the gradient is `negative` of the output gradient.

import { defineUnary, SCALAR_ATTRS, UNARY_INPLACE, type ScalarParams } from './define-unary.js';

export const { op: rminusScalar } = defineUnary<ScalarParams>({
  name: '_rminus_scalar',
  aliases: ['_RMinusScalar'],
  describe: 'Subtracts an array from a scalar.',
  attrs: SCALAR_ATTRS,
  kernel: 'rminus_scalar',
  inplace: UNARY_INPLACE,
  gradient: { op: 'negative', use: 'none', attrs: 'hidden', kernel: 'negative' },
});
