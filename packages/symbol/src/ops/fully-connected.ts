// FullyConnected: out = data · weightᵀ + bias. With `flatten` (default) data is (N, ...) and seen
// as (N, prod(...)); without, the last axis is the feature axis and the leading axes are kept.

import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp } from '../op-def.js';
import { defineBackward, sizeOf, unify, unknownShape } from './common.js';

const spec = {
  numHidden: attr.int({ required: true, min: 1, describe: 'Number of hidden units (output features).' }),
  noBias: attr.bool(false, { describe: 'Leave out the bias.' }),
  flatten: attr.bool(true, { describe: 'Collapse all but the first axis of the input.' }),
};
export type FullyConnectedParams = ParamsOf<typeof spec>;

export const fullyConnected = defineOp<FullyConnectedParams>({
  name: 'FullyConnected',
  describe: 'Applies a linear transformation: Y = XWᵀ + b.',
  attrs: new AttrSchema(spec),
  inputNames: (p) => (p.noBias ? ['data', 'weight'] : ['data', 'weight', 'bias']),
  inferShape(ctx) {
    const { numHidden: h, noBias, flatten } = ctx.params;
    if (!noBias) {
      // MXNet accepts a (num_hidden, 1) bias as well as (num_hidden,).
      const b = ctx.inputs[2];
      ctx.setInput(2, b && b.length === 2 ? [h, 1] : [h]);
    }
    ctx.setInput(1, [h, 0]);
    const d = ctx.inputs[0];
    if (d) {
      if (d.length === 0) ctx.fail('data must have at least one dimension');
      ctx.setInput(1, [h, flatten ? sizeOf(d.slice(1)) : d[d.length - 1]!]);
      ctx.setOutput(0, flatten ? [d[0]!, h] : [...d.slice(0, -1), h]);
    }
    // Backward: the output gives data's batch axis (all leading axes without flatten).
    const o = ctx.outputs[0];
    if (o) {
      if (flatten) {
        ctx.setOutput(0, [0, h]);
        const cur = ctx.inputs[0];
        if (cur) ctx.setInput(0, [o[0]!, ...unknownShape(cur.length - 1)]);
      } else {
        ctx.setOutput(0, [...unknownShape(o.length - 1), h]);
        ctx.setInput(0, [...o.slice(0, -1), ctx.inputs[1]![1]!]);
      }
    }
    // The weight gives data's feature axis when data's rank says where it is.
    const w = ctx.inputs[1]!;
    const cur = ctx.inputs[0];
    if (cur && w[1]) {
      if (!flatten) ctx.setInput(0, [...unknownShape(cur.length - 1), w[1]]);
      else if (cur.length === 2) ctx.setInput(0, [0, w[1]]);
    }
  },
  inferType(ctx) {
    unify(ctx, [['in', 0], ['in', 1], ...(ctx.params.noBias ? [] : ([['in', 2]] as const)), ['out', 0]]);
  },
  gradient(ctx) {
    const bwd = ctx.makeNode('_backward_FullyConnected', [ctx.ograd(0), ctx.input(0), ctx.input(1)]);
    const grads = [ctx.entry(bwd, 0), ctx.entry(bwd, 1)];
    if (!ctx.params.noBias) grads.push(ctx.entry(bwd, 2));
    return grads;
  },
  kernels: { forward: 'fully_connected' },
});

export const fullyConnectedBackward = defineBackward(fullyConnected, {
  name: '_backward_FullyConnected',
  kernel: 'fully_connected_backward',
  inputs: () => [
    ['out_grad', ['fwdOut', 0]],
    ['data', ['fwdIn', 0]],
    ['weight', ['fwdIn', 1]],
  ],
  numOutputs: (p) => (p.noBias ? 2 : 3),
});
