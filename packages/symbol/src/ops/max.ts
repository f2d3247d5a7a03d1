// max (`max_axis`): the maximum over axes; the gradient goes to the elements equal to the
// maximum (found from the data and the output).

import { defineReduce } from './define-reduce.js';

export const { op: max, backward: maxBackward } = defineReduce({
  name: 'max',
  aliases: ['max_axis'],
  describe: 'The maximum over the given axes.',
  kernel: 'max',
  gradient: { op: '_backward_max', use: 'inout', kernel: 'max_backward' },
});
