// sum (`sum_axis`): the sum over axes; its gradient broadcasts the output gradient back.

import { defineReduce } from './define-reduce.js';

export const { op: sum, backward: sumBackward } = defineReduce({
  name: 'sum',
  aliases: ['sum_axis'],
  describe: 'Sums the elements over the given axes.',
  kernel: 'sum',
  gradient: { op: '_backward_sum', use: 'none', kernel: 'sum_backward' },
});
