// _minimum_scalar: min(data, scalar); the gradient passes where data <= scalar (from the input).

import { defineUnary, SCALAR_ATTRS, UNARY_BACKWARD_INPLACE, UNARY_INPLACE, type ScalarParams } from './define-unary.js';

export const { op: minimumScalar, backward: minimumScalarBackward } = defineUnary<ScalarParams>({
  name: '_minimum_scalar',
  aliases: ['_MinimumScalar'],
  describe: 'Element-wise minimum of an array and a scalar.',
  attrs: SCALAR_ATTRS,
  kernel: 'minimum_scalar',
  inplace: UNARY_INPLACE,
  gradient: {
    op: '_backward_minimum_scalar',
    use: 'in',
    kernel: 'minimum_scalar_backward',
    hidden: { inplace: UNARY_BACKWARD_INPLACE },
  },
});
