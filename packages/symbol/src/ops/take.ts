// take: gathers slices of `a` along `axis` at the integer `indices`: the output is a's axes before
// `axis`, then the indices' axes, then a's axes after it. The indices may be of any type (the
// caller says which). Gradient: `_backward_take` from the output gradient and the indices
// (scatter-add into a; zero for the indices).

import { INDEX_MODES } from '@bkt/ndarray/core';
import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp } from '../op-def.js';
import { defineBackward, normalizeAxis, unify } from './common.js';

const spec = {
  axis: attr.int({ default: 0, describe: 'The axis of a to take along.' }),
  mode: attr.enumOf(INDEX_MODES, { default: 'clip', describe: 'Out-of-range indices: raise, wrap around or clip.' }),
};
export type TakeParams = ParamsOf<typeof spec>;

export const take = defineOp<TakeParams>({
  name: 'take',
  describe: 'Takes slices of an array along an axis.',
  attrs: new AttrSchema(spec),
  inputNames: () => ['a', 'indices'],
  inferShape(ctx) {
    const [a0, idx0] = ctx.inputs;
    const o = ctx.outputs[0];
    // Backward: a's rank from the output and the indices'.
    if (!a0 && idx0 && o) {
      const ndim = o.length - idx0.length + 1;
      if (ndim < 1) ctx.fail('the output has fewer axes than the indices');
      const ax = normalizeAxis(ctx.params.axis, ndim, ctx.fail);
      ctx.setInput(0, [...o.slice(0, ax), 0, ...o.slice(ax + idx0.length)]);
    }
    const a = ctx.inputs[0];
    if (!a) return;
    if (a.length === 0) ctx.fail('a must have at least one dimension');
    const ax = normalizeAxis(ctx.params.axis, a.length, ctx.fail);
    const idx = ctx.inputs[1];
    if (idx) ctx.setOutput(0, [...a.slice(0, ax), ...idx, ...a.slice(ax + 1)]);
    const out = ctx.outputs[0];
    if (!out) return;
    const nIdx = out.length - a.length + 1;
    if (nIdx < 0) ctx.fail('the output has fewer axes than a');
    ctx.setInput(1, out.slice(ax, ax + nIdx));
    ctx.setInput(0, [...out.slice(0, ax), a[ax]!, ...out.slice(ax + nIdx)]);
  },
  inferType: (ctx) =>
    unify(ctx, [
      ['in', 0],
      ['out', 0],
    ]),
  gradient(ctx) {
    const bwd = ctx.makeNode('_backward_take', [ctx.ograd(0), ctx.input(1)]);
    return [ctx.entry(bwd, 0), ctx.entry(bwd, 1)];
  },
  kernels: { forward: 'take' },
});

export const takeBackward = defineBackward(take, {
  name: '_backward_take',
  kernel: 'take_backward',
  inputs: () => [
    ['out_grad', ['fwdOut', 0]],
    ['indices', ['fwdIn', 1]],
  ],
  numOutputs: () => 2,
});
