// elemwise_add (`_plus`, `_add`): lhs + rhs, same shapes.

import { defineOp } from '../op-def.js';
import { defineBackward, elementwise, NO_PARAMS } from './common.js';

export const elemwiseAdd = defineOp<Record<never, never>>({
  name: 'elemwise_add',
  aliases: ['_add', '_plus', '_Plus'],
  describe: 'Adds two arrays of the same shape element-wise.',
  attrs: NO_PARAMS,
  inputNames: () => ['lhs', 'rhs'],
  inferShape: elementwise,
  inferType: elementwise,
  gradient(ctx) {
    const bwd = ctx.makeNode('_backward_add', [ctx.ograd(0)]);
    return [ctx.entry(bwd, 0), ctx.entry(bwd, 1)];
  },
  kernels: { forward: 'elemwise_add', backward: 'elemwise_add_backward' },
});

export const elemwiseAddBackward = defineBackward(elemwiseAdd, {
  name: '_backward_add',
  kernel: 'elemwise_add_backward',
  inputs: () => [['out_grad', ['fwdOut', 0]]],
  numOutputs: () => 2,
});
