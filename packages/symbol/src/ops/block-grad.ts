// BlockGrad (`stop_gradient`): identity forward, no gradient backward.

import { defineOp } from '../op-def.js';
import { elementwise, NO_PARAMS } from './common.js';

export const blockGrad = defineOp<Record<never, never>>({
  name: 'BlockGrad',
  aliases: ['stop_gradient'],
  describe: 'Passes its input through and stops gradients from flowing back.',
  attrs: NO_PARAMS,
  inputNames: () => ['data'],
  inferShape: elementwise,
  inferType: elementwise,
  gradient: () => [null],
  kernels: { forward: 'copy' },
  inplace: () => [[0, 0]],
});
