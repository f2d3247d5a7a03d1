// elemwise_sub: lhs - rhs, same shapes (`_Minus` is Symbol `-`). Gradients: out_grad and -out_grad.

import { defineBinary } from './define-binary.js';

export const { op: elemwiseSub, backward: elemwiseSubBackward } = defineBinary({
  name: 'elemwise_sub',
  aliases: ['_sub', '_minus', '_Minus'],
  describe: 'Subtracts two arrays of the same shape element-wise.',
  kernel: 'elemwise_sub',
  shape: 'elemwise',
  gradient: { op: '_backward_sub', use: 'none', kernel: 'elemwise_sub_backward' },
});
