// elemwise_mul: lhs * rhs, same shapes (`_Mul` is Symbol `*`). Gradients: out_grad * rhs and out_grad * lhs.

import { defineBinary } from './define-binary.js';

export const { op: elemwiseMul, backward: elemwiseMulBackward } = defineBinary({
  name: 'elemwise_mul',
  aliases: ['_mul', '_Mul'],
  describe: 'Multiplies two arrays of the same shape element-wise.',
  kernel: 'elemwise_mul',
  shape: 'elemwise',
  gradient: { op: '_backward_mul', use: 'in', kernel: 'elemwise_mul_backward' },
});
