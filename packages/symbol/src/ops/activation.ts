// Activation: element-wise relu, sigmoid, tanh, softrelu (log(1 + e^x)) or softsign (x / (1 + |x|)).

import { ACT_TYPES } from '@bkt/ndarray/core';
import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp, type OpDef } from '../op-def.js';
import { defineBackward, elementwise } from './common.js';

const spec = {
  actType: attr.enumOf(ACT_TYPES, { required: true, describe: 'Activation function.' }),
};
export type ActivationParams = ParamsOf<typeof spec>;

export const activation = defineOp<ActivationParams>({
  name: 'Activation',
  describe: 'Applies an activation function element-wise.',
  attrs: new AttrSchema(spec),
  inputNames: () => ['data'],
  inferShape: elementwise,
  inferType: elementwise,
  gradient(ctx) {
    // relu, sigmoid, tanh and softrelu differentiate from the output; softsign needs the input.
    const ins = [ctx.ograd(0), ctx.output(0)];
    if (ctx.params.actType === 'softsign') ins.push(ctx.input(0));
    return [ctx.entry(ctx.makeNode('_backward_Activation', ins), 0)];
  },
  kernels: { forward: 'activation' },
  inplace: () => [[0, 0]],
});

export const activationBackward: OpDef<ActivationParams> = {
  ...defineBackward(activation, {
    name: '_backward_Activation',
    kernel: 'activation_backward',
    inputs: (p) => [
      ['out_grad', ['fwdOut', 0]],
      ['out_data', ['fwdOut', 0]],
      ...(p.actType === 'softsign' ? ([['in_data', ['fwdIn', 0]]] as const) : []),
    ],
    numOutputs: () => 1,
  }),
  inplace: () => [[0, 0]],
};
