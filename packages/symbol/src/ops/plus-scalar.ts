// _plus_scalar: data + scalar; the gradient is a `_copy` of the output gradient.

import { defineUnary, SCALAR_ATTRS, UNARY_INPLACE, type ScalarParams } from './define-unary.js';

export const { op: plusScalar } = defineUnary<ScalarParams>({
  name: '_plus_scalar',
  aliases: ['_PlusScalar'],
  describe: 'Adds a scalar to an array.',
  attrs: SCALAR_ATTRS,
  kernel: 'plus_scalar',
  inplace: UNARY_INPLACE,
  gradient: { op: '_copy', use: 'none', attrs: 'hidden', kernel: 'copy' },
});
