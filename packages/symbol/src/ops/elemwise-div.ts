// elemwise_div: lhs / rhs, same shapes (`_Div` is Symbol `/`). Gradients: out_grad / rhs and -out_grad * lhs / rhs^2.

import { defineBinary } from './define-binary.js';

export const { op: elemwiseDiv, backward: elemwiseDivBackward } = defineBinary({
  name: 'elemwise_div',
  aliases: ['_div', '_Div'],
  describe: 'Divides two arrays of the same shape element-wise.',
  kernel: 'elemwise_div',
  shape: 'elemwise',
  gradient: { op: '_backward_div', use: 'in', kernel: 'elemwise_div_backward' },
});
