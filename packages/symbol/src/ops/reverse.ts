// reverse (`flip`): reverses the order of the elements along each axis in `axis`. BidirectionalCell
// uses it to turn the right-to-left outputs back into time order.

import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp } from '../op-def.js';
import { defineBackward, elementwise, normalizeAxis } from './common.js';

const spec = {
  axis: attr.shape({ required: true, describe: 'The axes to reverse.' }),
};
export type ReverseParams = ParamsOf<typeof spec>;

export const reverse = defineOp<ReverseParams>({
  name: 'reverse',
  aliases: ['flip'],
  describe: 'Reverses the elements along the given axes.',
  attrs: new AttrSchema(spec),
  inputNames: () => ['data'],
  inferShape(ctx) {
    elementwise(ctx);
    const d = ctx.inputs[0];
    if (d) for (const a of ctx.params.axis) normalizeAxis(a, d.length, ctx.fail);
  },
  inferType: elementwise,
  gradient(ctx) {
    return [ctx.entry(ctx.makeNode('_backward_reverse', [ctx.ograd(0)]), 0)];
  },
  kernels: { forward: 'reverse' },
});

/** The gradient is the output gradient reversed along the same axes. */
export const reverseBackward = defineBackward(reverse, {
  name: '_backward_reverse',
  kernel: 'reverse',
  inputs: () => [['out_grad', ['fwdOut', 0]]],
  numOutputs: () => 1,
});
