// _copy (`identity`): returns a copy of its input; its gradient is a copy of the output gradient.

import { defineOp } from '../op-def.js';
import { elementwise, NO_PARAMS } from './common.js';

export const copy = defineOp<Record<never, never>>({
  name: '_copy',
  aliases: ['identity'],
  describe: 'Returns a copy of the input.',
  attrs: NO_PARAMS,
  inputNames: () => ['data'],
  inferShape: elementwise,
  inferType: elementwise,
  gradient(ctx) {
    return [ctx.entry(ctx.makeNode('_copy', [ctx.ograd(0)]), 0)];
  },
  kernels: { forward: 'copy' },
  inplace: () => [[0, 0]],
});
