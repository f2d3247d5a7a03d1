// LeakyReLU: the ReLU variants leaky (slope·x below 0), prelu (a learned slope per channel,
// input `gamma`), rrelu (a random slope in [lower_bound, upper_bound) while training, kept in a
// hidden `mask` output), elu, selu and gelu.

import { LEAKY_RELU_TYPES } from '@bkt/ndarray/core';
import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import type { NodeEntry } from '../graph.js';
import { defineOp, type OpDef } from '../op-def.js';
import { defineBackward, elementwise, unify, type Ref } from './common.js';

const spec = {
  actType: attr.enumOf(LEAKY_RELU_TYPES, { default: 'leaky', describe: 'Activation function.' }),
  slope: attr.float({ default: 0.25, describe: 'Slope below zero (leaky) or scale of the negative part (elu).' }),
  lowerBound: attr.float({ default: 0.125, describe: 'Lowest random slope (rrelu).' }),
  upperBound: attr.float({ default: 0.334, describe: 'Highest random slope (rrelu).' }),
};
export type LeakyReLUParams = ParamsOf<typeof spec>;

// The forward entries the backward op reads after the output gradient: the output alone gives the
// derivative of leaky, elu and selu; gelu needs the input; prelu the input and the slopes; rrelu
// the slopes it drew.
function backwardInputs(p: LeakyReLUParams): [string, Ref][] {
  switch (p.actType) {
    case 'prelu':
      return [
        ['out_data', ['fwdOut', 0]],
        ['data', ['fwdIn', 0]],
        ['gamma', ['fwdIn', 1]],
      ];
    case 'rrelu':
      return [
        ['mask', ['fwdOut', 1]],
        ['out_data', ['fwdOut', 0]],
      ];
    case 'gelu':
      return [
        ['data', ['fwdIn', 0]],
        ['out_data', ['fwdOut', 0]],
      ];
    default:
      return [['out_data', ['fwdOut', 0]]];
  }
}

export const leakyReLU = defineOp<LeakyReLUParams>({
  name: 'LeakyReLU',
  describe: 'Leaky, parametric, randomized and exponential ReLU variants.',
  attrs: new AttrSchema(spec),
  inputNames: (p) => (p.actType === 'prelu' ? ['data', 'gamma'] : ['data']),
  numOutputs: (p) => (p.actType === 'rrelu' ? 2 : 1),
  numVisibleOutputs: () => 1,
  outputNames: (p) => (p.actType === 'rrelu' ? ['output', 'mask'] : ['output']),
  inferShape(ctx) {
    const outs = ctx.outputs.map((_, i): Ref => ['out', i]);
    unify(ctx, [['in', 0], ...outs]);
    if (ctx.params.actType !== 'prelu') return;
    // One slope per channel (axis 1), or a single one shared by all channels.
    const d = ctx.inputs[0];
    if (!d) return;
    if (d.length < 2) ctx.fail('prelu needs data with a channel axis (at least two dimensions)');
    const g = ctx.inputs[1];
    if (g === undefined || (g.length === 1 && g[0] === 0)) ctx.setInput(1, [d[1]!]);
    else if (g.length !== 1 || (g[0] !== 1 && d[1] !== 0 && g[0] !== d[1])) {
      ctx.fail(`gamma must have shape (${d[1]},) or (1,)`);
    }
  },
  inferType: elementwise,
  gradient(ctx) {
    const p = ctx.params;
    const fwd = (r: Ref): NodeEntry => (r[0] === 'fwdIn' ? ctx.input(r[1]) : ctx.output(r[1]));
    const bwd = ctx.makeNode('_backward_LeakyReLU', [ctx.ograd(0), ...backwardInputs(p).map(([, r]) => fwd(r))]);
    return p.actType === 'prelu' ? [ctx.entry(bwd, 0), ctx.entry(bwd, 1)] : [ctx.entry(bwd, 0)];
  },
  kernels: { forward: 'leaky_relu' },
  // As MXNet, which offers no in-place forward for prelu.
  inplace: (p) => (p.actType === 'prelu' ? [] : [[0, 0]]),
  setInputVarAttrOnCompose(_p, variable, index) {
    if (index === 1 && variable.attrs.__init__ === undefined) variable.setAttr('__init__', '["Constant", {"value": 0.25}]');
  },
});

export const leakyReLUBackward: OpDef<LeakyReLUParams> = {
  ...defineBackward(leakyReLU, {
    name: '_backward_LeakyReLU',
    kernel: 'leaky_relu_backward',
    inputs: (p) => [['out_grad', ['fwdOut', 0]], ...backwardInputs(p)],
    numOutputs: (p) => (p.actType === 'prelu' ? 2 : 1),
  }),
  inplace: () => [[0, 0]],
};
