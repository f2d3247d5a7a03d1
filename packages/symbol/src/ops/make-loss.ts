// MakeLoss: identity forward; backward, a constant gradient grad_scale (divided by the batch size
// or by the number of elements above valid_thresh), whatever the output gradient. Turns any
// expression into a loss that seeds backpropagation.

import { NORMALIZATIONS } from '@bkt/ndarray/core';
import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp } from '../op-def.js';
import { defineBackward, elementwise } from './common.js';

const spec = {
  gradScale: attr.float({ default: 1, describe: 'The gradient value.' }),
  validThresh: attr.float({ default: 0, describe: "Elements above this count as valid for normalization 'valid'." }),
  normalization: attr.enumOf(NORMALIZATIONS, { default: 'null', describe: 'Gradient normalization.' }),
};
export type MakeLossParams = ParamsOf<typeof spec>;

export const makeLoss = defineOp<MakeLossParams>({
  name: 'MakeLoss',
  describe: 'Makes a loss of its input: the backward pass sends grad_scale back.',
  attrs: new AttrSchema(spec),
  inputNames: () => ['data'],
  inferShape: elementwise,
  inferType: elementwise,
  selfSeeding: () => true,
  gradient(ctx) {
    // Only 'valid' normalization reads the data (to count the valid elements).
    const ins = ctx.params.normalization === 'valid' ? [ctx.input(0)] : [];
    return [ctx.entry(ctx.makeNode('_backward_MakeLoss', ins), 0)];
  },
  kernels: { forward: 'copy' },
});

export const makeLossBackward = defineBackward(makeLoss, {
  name: '_backward_MakeLoss',
  kernel: 'make_loss_backward',
  inputs: (p) => (p.normalization === 'valid' ? [['data', ['fwdIn', 0]]] : []),
  numOutputs: () => 1,
});
