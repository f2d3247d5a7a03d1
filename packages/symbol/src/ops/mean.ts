// mean: the average over axes; its gradient broadcasts the output gradient back, divided by
// the number of elements reduced.

import { defineReduce } from './define-reduce.js';

export const { op: mean, backward: meanBackward } = defineReduce({
  name: 'mean',
  describe: 'Averages the elements over the given axes.',
  kernel: 'mean',
  gradient: { op: '_backward_mean', use: 'none', kernel: 'mean_backward' },
});
