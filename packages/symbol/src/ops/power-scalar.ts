// _power_scalar: data ^ scalar; gradient scalar * data^(scalar - 1) * out_grad, from the input.

import { defineUnary, SCALAR_ATTRS, UNARY_BACKWARD_INPLACE, UNARY_INPLACE, type ScalarParams } from './define-unary.js';

export const { op: powerScalar, backward: powerScalarBackward } = defineUnary<ScalarParams>({
  name: '_power_scalar',
  aliases: ['_PowerScalar'],
  describe: 'Raises an array to a scalar power.',
  attrs: SCALAR_ATTRS,
  kernel: 'power_scalar',
  inplace: UNARY_INPLACE,
  gradient: {
    op: '_backward_power_scalar',
    use: 'in',
    kernel: 'power_scalar_backward',
    hidden: { inplace: UNARY_BACKWARD_INPLACE },
  },
});
