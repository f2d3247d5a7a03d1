// SoftmaxActivation (deprecated in MXNet for softmax): softmax over each instance's flattened
// features (mode instance), or over the channel axis 1 at every position (mode channel, 3 or more
// dimensions). Gradient `_backward_SoftmaxActivation` from the output gradient and the output.

import { SOFTMAX_ACTIVATION_MODES } from '@bkt/ndarray/core';
import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp } from '../op-def.js';
import { defineBackward, elementwise } from './common.js';

const spec = {
  mode: attr.enumOf(SOFTMAX_ACTIVATION_MODES, { default: 'instance', describe: 'Softmax per instance or across channels.' }),
};
export type SoftmaxActivationParams = ParamsOf<typeof spec>;

export const softmaxActivation = defineOp<SoftmaxActivationParams>({
  name: 'SoftmaxActivation',
  describe: 'Softmax for internal layers.',
  attrs: new AttrSchema(spec),
  inputNames: () => ['data'],
  inferShape(ctx) {
    elementwise(ctx);
    const d = ctx.inputs[0];
    if (d && ctx.params.mode === 'channel' && d.length < 3) ctx.fail('mode channel needs data of 3 or more dimensions');
  },
  inferType: elementwise,
  gradient(ctx) {
    return [ctx.entry(ctx.makeNode('_backward_SoftmaxActivation', [ctx.ograd(0), ctx.output(0)]), 0)];
  },
  kernels: { forward: 'softmax_activation' },
});

export const softmaxActivationBackward = defineBackward(softmaxActivation, {
  name: '_backward_SoftmaxActivation',
  kernel: 'softmax_activation_backward',
  inputs: () => [
    ['out_grad', ['fwdOut', 0]],
    ['out_data', ['fwdOut', 0]],
  ],
  numOutputs: () => 1,
});
