// ones_like: an array of ones with the input's shape and type. Zero gradient (MXNet's
// MakeZeroGradNodes).

import { defineOp } from '../op-def.js';
import { elementwise, NO_PARAMS, zeroGradients } from './common.js';

export const onesLike = defineOp<Record<never, never>>({
  name: 'ones_like',
  describe: 'Ones shaped like the input.',
  attrs: NO_PARAMS,
  inputNames: () => ['data'],
  inferShape: elementwise,
  inferType: elementwise,
  gradient: (ctx) => zeroGradients(ctx),
  kernels: { forward: 'ones' },
});
