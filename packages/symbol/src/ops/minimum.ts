// _minimum: min(lhs, rhs), same shapes; the gradient goes to lhs where lhs <= rhs, else to rhs.

import { defineBinary } from './define-binary.js';

export const { op: minimum, backward: minimumBackward } = defineBinary({
  name: '_minimum',
  aliases: ['_Minimum'],
  describe: 'Element-wise minimum of two arrays of the same shape.',
  kernel: 'minimum',
  shape: 'elemwise',
  gradient: { op: '_backward_minimum', use: 'in', kernel: 'minimum_backward' },
});
