// negative: -x; its gradient is `negative` of the output gradient.

import { defineUnary, UNARY_INPLACE } from './define-unary.js';

export const { op: negative } = defineUnary({
  name: 'negative',
  describe: '-x, element-wise.',
  kernel: 'negative',
  inplace: UNARY_INPLACE,
  gradient: { op: 'negative', use: 'none', kernel: 'negative' },
});
