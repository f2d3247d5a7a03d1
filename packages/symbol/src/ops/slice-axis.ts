// slice_axis: elements begin..end (end exclusive, None = the end, negatives count from the end)
// along `axis`. The gradient `_backward_slice_axis` puts the output gradient back in place, zeros
// elsewhere.

import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp } from '../op-def.js';
import { defineBackward, elementwise, normalizeAxis } from './common.js';

const spec = {
  axis: attr.int({ required: true, describe: 'The axis to slice.' }),
  begin: attr.int({ required: true, describe: 'First index (negative: from the end).' }),
  end: attr.optional(attr.int(), { required: true, describe: 'Index after the last (None: the end).' }),
};
export type SliceAxisParams = ParamsOf<typeof spec>;

export const sliceAxis = defineOp<SliceAxisParams>({
  name: 'slice_axis',
  describe: 'Slices an array along one axis.',
  attrs: new AttrSchema(spec),
  inputNames: () => ['data'],
  inferShape(ctx) {
    const { begin, end } = ctx.params;
    const known = ctx.inputs[0] ?? ctx.outputs[0];
    if (!known) return;
    const a = normalizeAxis(ctx.params.axis, known.length, ctx.fail);
    // The slice length is (eS - bS) * size + c: eS / bS are 1 when end / begin count from the end
    // (a negative or absent bound carries the axis length). Other axes pass through.
    const eS = end === null || end < 0 ? 1 : 0;
    const bS = begin < 0 ? 1 : 0;
    const c = (end ?? 0) - begin;
    const d = ctx.inputs[0];
    if (d) {
      const size = d[a]!;
      let len = eS === bS ? c : 0;
      if (size !== 0) {
        const b = begin + bS * size;
        const e = (end ?? 0) + eS * size;
        if (e > size || b < 0 || b >= e) ctx.fail(`invalid begin=${begin}, end=${end ?? 'None'} for axis ${a} of length ${size}`);
        len = e - b;
      } else if (eS === bS && c <= 0) {
        ctx.fail(`invalid begin=${begin}, end=${end ?? 'None'}`);
      }
      ctx.setOutput(
        0,
        d.map((x, i) => (i === a ? len : x)),
      );
    }
    const o = ctx.outputs[0];
    if (!o) return;
    let size = ctx.inputs[0]?.[a] ?? 0;
    if (size === 0 && eS !== bS && o[a] !== 0) {
      size = (o[a]! - c) / (eS - bS);
      if (size <= 0) ctx.fail(`no length of axis ${a} gives a slice of ${o[a]}`);
    }
    ctx.setInput(
      0,
      o.map((x, i) => (i === a ? size : x)),
    );
  },
  inferType: elementwise,
  gradient(ctx) {
    return [ctx.entry(ctx.makeNode('_backward_slice_axis', [ctx.ograd(0)]), 0)];
  },
  kernels: { forward: 'slice_axis' },
});

export const sliceAxisBackward = defineBackward(sliceAxis, {
  name: '_backward_slice_axis',
  kernel: 'slice_axis_backward',
  inputs: () => [['out_grad', ['fwdOut', 0]]],
  numOutputs: () => 1,
});
