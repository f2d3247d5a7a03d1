// squeeze: drops axes of length 1 — those listed in `axis` (each must have length 1), or all of
// them — keeping at least one axis ((1, 1) -> (1,)). Its gradient `_backward_squeeze` copies the
// output gradient back into the data's shape.

import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { formatShape } from '../infer.js';
import { defineOp, type Shape } from '../op-def.js';
import { defineBackward, elementwise, normalizeAxis } from './common.js';
import { axesOf } from './define-reduce.js';

const spec = {
  axis: attr.optional(attr.axes(), { describe: 'Axes to drop; None drops every axis of length 1.' }),
};
export type SqueezeParams = ParamsOf<typeof spec>;

const atLeastOne = (s: Shape): Shape => (s.length === 0 ? [1] : s);

export const squeeze = defineOp<SqueezeParams>({
  name: 'squeeze',
  describe: 'Removes axes of length 1.',
  attrs: new AttrSchema(spec),
  inputNames: () => ['data'],
  inferShape(ctx) {
    const axes = axesOf(ctx.params.axis);
    const d = ctx.inputs[0];
    if (d && axes === null) {
      // Which axes go depends on every length being known.
      if (d.every((x) => x > 0)) ctx.setOutput(0, atLeastOne(d.filter((x) => x !== 1)));
      return;
    }
    if (axes === null) return;
    const o = ctx.outputs[0];
    // Backward: the data has the output's axes plus the dropped ones (unless all were dropped and
    // the `(1,)` left says nothing of the rank).
    if (!d && o && !(o.length === 1 && o[0]! <= 1)) {
      const ndim = o.length + axes.length;
      const dropped = new Set(axes.map((a) => normalizeAxis(a, ndim, ctx.fail)));
      let k = 0;
      ctx.setInput(
        0,
        Array.from({ length: ndim }, (_, i) => (dropped.has(i) ? 1 : o[k++]!)),
      );
    }
    const cur = ctx.inputs[0];
    if (!cur) return;
    const dropped = new Set(axes.map((a) => normalizeAxis(a, cur.length, ctx.fail)));
    for (const a of dropped) {
      if (cur[a] !== 0 && cur[a] !== 1) ctx.fail(`cannot squeeze axis ${a} of length ${cur[a]} in ${formatShape(cur)}`);
    }
    ctx.setInput(
      0,
      cur.map((x, i) => (dropped.has(i) ? 1 : x)),
    );
    const kept = cur.map((_, i) => i).filter((i) => !dropped.has(i));
    ctx.setOutput(0, atLeastOne(kept.map((i) => cur[i]!)));
    const out = ctx.outputs[0]!;
    if (kept.length > 0)
      ctx.setInput(
        0,
        cur.map((_, i) => (dropped.has(i) ? 1 : out[kept.indexOf(i)]!)),
      );
  },
  inferType: elementwise,
  gradient(ctx) {
    return [ctx.entry(ctx.makeNode('_backward_squeeze', [ctx.ograd(0)]), 0)];
  },
  kernels: { forward: 'copy' },
});

export const squeezeBackward = defineBackward(squeeze, {
  name: '_backward_squeeze',
  kernel: 'copy',
  inputs: () => [['out_grad', ['fwdOut', 0]]],
  numOutputs: () => 1,
});
