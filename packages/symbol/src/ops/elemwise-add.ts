// elemwise_add (`_plus`, `_add`, `_Plus`): lhs + rhs, same shapes. `_Plus` is what MXNet's
// Symbol `+` creates.

import { defineBinary } from './define-binary.js';

export const { op: elemwiseAdd, backward: elemwiseAddBackward } = defineBinary({
  name: 'elemwise_add',
  aliases: ['_add', '_plus', '_Plus'],
  describe: 'Adds two arrays of the same shape element-wise.',
  kernel: 'elemwise_add',
  shape: 'elemwise',
  gradient: { op: '_backward_add', use: 'none', kernel: 'elemwise_add_backward' },
});
