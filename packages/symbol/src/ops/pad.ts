// Pad: pads 4-D or 5-D data on its spatial axes (MXNet's Pad; batch and channel are never padded)
// with constant_value, copies of the edge, or the data mirrored about the edge (reflect, widths below
// the axis length). pad_width is (before, after) for every axis, numpy.pad's widths flattened. The
// gradient `_backward_Pad` sums the output gradient of every copy of a data element into it.

import { PAD_MODES } from '@bkt/ndarray/core';
import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp } from '../op-def.js';
import { defineBackward, elementwise } from './common.js';

const spec = {
  mode: attr.enumOf(PAD_MODES, { default: 'constant', describe: 'What fills the padding.' }),
  padWidth: attr.shape({ required: true, describe: 'Widths (before, after) of every axis; the first four must be 0.' }),
  constantValue: attr.float({ default: 0, describe: "The value of the padding with mode 'constant'." }),
};
export type PadParams = ParamsOf<typeof spec>;

export const pad = defineOp<PadParams>({
  name: 'Pad',
  aliases: ['pad'],
  describe: 'Pads the spatial axes of 4-D or 5-D data.',
  attrs: new AttrSchema(spec),
  inputNames: () => ['data'],
  inferShape(ctx) {
    const { mode, padWidth: w } = ctx.params;
    const known = ctx.inputs[0] ?? ctx.outputs[0];
    if (!known) return;
    const nd = known.length;
    if (nd !== 4 && nd !== 5) ctx.fail(`data must be 4-D or 5-D, got ${nd}-D`);
    if (w.length !== 2 * nd) ctx.fail(`pad_width has ${w.length} values, ${2 * nd} expected (before and after for every axis)`);
    if (w.slice(0, 4).some((v) => v !== 0))
      ctx.fail('the batch and channel axes cannot be padded (pad_width must start with 0, 0, 0, 0)');
    if (w.some((v) => v < 0)) ctx.fail('pad_width values must be non-negative');
    const extra = (d: number): number => w[2 * d]! + w[2 * d + 1]!;
    const d = ctx.inputs[0];
    if (d && mode === 'reflect') {
      d.forEach((size, i) => {
        if (size !== 0 && extra(i) > 0 && (w[2 * i]! >= size || w[2 * i + 1]! >= size)) {
          ctx.fail(`reflect padding of axis ${i} (length ${size}) needs widths below its length`);
        }
      });
    }
    // A dimension of 0 is unknown in either direction.
    if (d)
      ctx.setOutput(
        0,
        d.map((x, i) => (x === 0 ? 0 : x + extra(i))),
      );
    const o = ctx.outputs[0];
    if (!o) return;
    if (o.some((x, i) => x !== 0 && x < extra(i))) ctx.fail(`the output (${o.join(', ')}) is smaller than the padding`);
    ctx.setInput(
      0,
      o.map((x, i) => (x === 0 ? 0 : x - extra(i))),
    );
  },
  inferType: elementwise,
  gradient(ctx) {
    return [ctx.entry(ctx.makeNode('_backward_Pad', [ctx.ograd(0)]), 0)];
  },
  kernels: { forward: 'pad' },
});

export const padBackward = defineBackward(pad, {
  name: '_backward_Pad',
  kernel: 'pad_backward',
  inputs: () => [['out_grad', ['fwdOut', 0]]],
  numOutputs: () => 1,
});
