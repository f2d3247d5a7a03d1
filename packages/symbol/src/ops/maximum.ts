// _maximum: max(lhs, rhs), same shapes; the gradient goes to lhs where lhs >= rhs, else to rhs.

import { defineBinary } from './define-binary.js';

export const { op: maximum, backward: maximumBackward } = defineBinary({
  name: '_maximum',
  aliases: ['_Maximum'],
  describe: 'Element-wise maximum of two arrays of the same shape.',
  kernel: 'maximum',
  shape: 'elemwise',
  gradient: { op: '_backward_maximum', use: 'in', kernel: 'maximum_backward' },
});
