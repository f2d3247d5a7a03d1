// _maximum_scalar: max(data, scalar); the gradient passes where data >= scalar (from the input).

import { defineUnary, SCALAR_ATTRS, UNARY_BACKWARD_INPLACE, UNARY_INPLACE, type ScalarParams } from './define-unary.js';

export const { op: maximumScalar, backward: maximumScalarBackward } = defineUnary<ScalarParams>({
  name: '_maximum_scalar',
  aliases: ['_MaximumScalar'],
  describe: 'Element-wise maximum of an array and a scalar.',
  attrs: SCALAR_ATTRS,
  kernel: 'maximum_scalar',
  inplace: UNARY_INPLACE,
  gradient: {
    op: '_backward_maximum_scalar',
    use: 'in',
    kernel: 'maximum_scalar_backward',
    hidden: { inplace: UNARY_BACKWARD_INPLACE },
  },
});
