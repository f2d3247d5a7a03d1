// zeros_like: an array of zeros with the input's shape and type. Not differentiable (no gradient);
// autodiff also uses it for outputs that receive no gradient.

import { defineOp } from '../op-def.js';
import { elementwise, NO_PARAMS } from './common.js';

export const zerosLike = defineOp<Record<never, never>>({
  name: 'zeros_like',
  describe: 'Zeros shaped like the input.',
  attrs: NO_PARAMS,
  inputNames: () => ['data'],
  inferShape: elementwise,
  inferType: elementwise,
  gradient: () => [null],
  kernels: { forward: 'zeros' },
});
