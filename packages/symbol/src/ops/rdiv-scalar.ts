// _rdiv_scalar: scalar / data; gradient -scalar / data^2 * out_grad, from the input.

import { defineUnary, SCALAR_ATTRS, UNARY_BACKWARD_INPLACE, UNARY_INPLACE, type ScalarParams } from './define-unary.js';

export const { op: rdivScalar, backward: rdivScalarBackward } = defineUnary<ScalarParams>({
  name: '_rdiv_scalar',
  aliases: ['_RDivScalar'],
  describe: 'Divides a scalar by an array.',
  attrs: SCALAR_ATTRS,
  kernel: 'rdiv_scalar',
  inplace: UNARY_INPLACE,
  gradient: {
    op: '_backward_rdiv_scalar',
    use: 'in',
    kernel: 'rdiv_scalar_backward',
    hidden: { inplace: UNARY_BACKWARD_INPLACE },
  },
});
