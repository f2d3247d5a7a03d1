// log_softmax: log(softmax(x)) computed stably, with softmax's parameters and rules.

import { defineSoftmax } from './softmax.js';

export const { op: logSoftmax, backward: logSoftmaxBackward } = defineSoftmax({
  name: 'log_softmax',
  describe: 'Applies the log-softmax function along an axis.',
  kernel: 'log_softmax',
  backward: '_backward_log_softmax',
});
