// SliceChannel (`split`): cuts the input into num_outputs equal parts along `axis`; with
// squeeze_axis the (then length-1) axis is dropped from every part.

import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp, type Shape } from '../op-def.js';
import { defineBackward, MAX_NODE_ARITY, normalizeAxis, unify } from './common.js';

const spec = {
  numOutputs: attr.int({ required: true, min: 1, max: MAX_NODE_ARITY, describe: 'Number of parts.' }),
  axis: attr.int({ default: 1, describe: 'The axis to split along.' }),
  squeezeAxis: attr.bool(false, { describe: 'Drop the split axis from the outputs (it must become 1).' }),
};
export type SliceChannelParams = ParamsOf<typeof spec>;

export const sliceChannel = defineOp<SliceChannelParams>({
  name: 'SliceChannel',
  aliases: ['split'],
  describe: 'Splits an array into equal parts along an axis.',
  attrs: new AttrSchema(spec),
  inputNames: () => ['data'],
  numOutputs: (p) => p.numOutputs,
  outputNames: (p) => Array.from({ length: p.numOutputs }, (_, i) => `output${i}`),
  inferShape(ctx) {
    const { numOutputs: n, squeezeAxis } = ctx.params;
    unify(
      ctx,
      ctx.outputs.map((_, i) => ['out', i] as const),
    );
    const o = ctx.outputs.find((s) => s !== undefined);
    if (o) {
      // Backward: data is an output with the axis restored / multiplied.
      const ndim = o.length + (squeezeAxis ? 1 : 0);
      const axis = normalizeAxis(ctx.params.axis, ndim, ctx.fail);
      const d: Shape = squeezeAxis ? [...o.slice(0, axis), n, ...o.slice(axis)] : o.map((x, i) => (i === axis ? x * n : x));
      ctx.setInput(0, d);
    }
    const d = ctx.inputs[0];
    if (!d) return;
    const axis = normalizeAxis(ctx.params.axis, d.length, ctx.fail);
    const len = d[axis]!;
    if (len !== 0 && len % n !== 0) ctx.fail(`axis ${axis} of length ${len} cannot be split into ${n} equal parts`);
    if (squeezeAxis && len !== 0 && len !== n) ctx.fail(`squeeze_axis needs axis ${axis} of length ${n}, got ${len}`);
    const part: Shape = squeezeAxis ? [...d.slice(0, axis), ...d.slice(axis + 1)] : d.map((x, i) => (i === axis ? x / n : x));
    for (let i = 0; i < n; i++) ctx.setOutput(i, part);
  },
  inferType(ctx) {
    unify(ctx, [['in', 0], ...ctx.outputs.map((_, i) => ['out', i] as const)]);
  },
  gradient(ctx) {
    const ograds = Array.from({ length: ctx.params.numOutputs }, (_, i) => ctx.ograd(i));
    return [ctx.entry(ctx.makeNode('_backward_SliceChannel', ograds), 0)];
  },
  kernels: { forward: 'slice_channel' },
});

export const sliceChannelBackward = defineBackward(sliceChannel, {
  name: '_backward_SliceChannel',
  kernel: 'slice_channel_backward',
  inputs: (p) => Array.from({ length: p.numOutputs }, (_, i) => [`out_grad${i}`, ['fwdOut', i]] as const),
  numOutputs: () => 1,
});
