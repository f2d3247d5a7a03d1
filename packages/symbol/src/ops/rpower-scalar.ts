// _rpower_scalar: scalar ^ data; gradient out * ln(scalar) * out_grad, from the output.

import { defineUnary, SCALAR_ATTRS, UNARY_BACKWARD_INPLACE, UNARY_INPLACE, type ScalarParams } from './define-unary.js';

export const { op: rpowerScalar, backward: rpowerScalarBackward } = defineUnary<ScalarParams>({
  name: '_rpower_scalar',
  aliases: ['_RPowerScalar'],
  describe: 'Raises a scalar to the powers in an array.',
  attrs: SCALAR_ATTRS,
  kernel: 'rpower_scalar',
  inplace: UNARY_INPLACE,
  gradient: {
    op: '_backward_rpower_scalar',
    use: 'out',
    kernel: 'rpower_scalar_backward',
    hidden: { inplace: UNARY_BACKWARD_INPLACE },
  },
});
