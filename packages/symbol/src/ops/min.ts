// min (`min_axis`): the minimum over axes; the gradient goes to the elements equal to the
// minimum (found from the data and the output).

import { defineReduce } from './define-reduce.js';

export const { op: min, backward: minBackward } = defineReduce({
  name: 'min',
  aliases: ['min_axis'],
  describe: 'The minimum over the given axes.',
  kernel: 'min',
  gradient: { op: '_backward_min', use: 'inout', kernel: 'min_backward' },
});
