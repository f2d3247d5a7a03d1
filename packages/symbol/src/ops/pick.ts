// pick: one element per position along `axis`, chosen by the integer `index` (shaped like the
// output): data reduced over `axis`. The index may be of any type (the caller says which).
// Gradient, as MXNet: `_backward_pick` (output gradient and index) for data, and a
// `zeros_like(index)` named `<node>_index_backward` for the index.

import { PICK_MODES } from '@bkt/ndarray/core';
import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp } from '../op-def.js';
import { defineBackward, reduceRule, unify } from './common.js';

const spec = {
  axis: attr.optional(attr.int(), { default: -1, describe: 'The axis to pick along.' }),
  keepdims: attr.bool(false, { describe: 'Keep the picked axis as an axis of length 1.' }),
  mode: attr.enumOf(PICK_MODES, { default: 'clip', describe: 'Out-of-range indices: wrap around or clip.' }),
};
export type PickParams = ParamsOf<typeof spec>;

export const pick = defineOp<PickParams>({
  name: 'pick',
  aliases: ['choose_element_0index'],
  describe: 'Picks elements along an axis by index.',
  attrs: new AttrSchema(spec),
  inputNames: () => ['data', 'index'],
  inferShape(ctx) {
    const { axis, keepdims } = ctx.params;
    if (axis === null) return ctx.fail('axis=None is not supported by pick; an axis must be given');
    unify(ctx, [
      ['in', 1],
      ['out', 0],
    ]);
    reduceRule(ctx, [axis], keepdims, false);
    unify(ctx, [
      ['in', 1],
      ['out', 0],
    ]);
  },
  inferType: (ctx) =>
    unify(ctx, [
      ['in', 0],
      ['out', 0],
    ]),
  gradient(ctx) {
    const index = ctx.input(1);
    const bwd = ctx.makeNode('_backward_pick', [ctx.ograd(0), index]);
    const zero = ctx.makeNode('zeros_like', [index], { name: `${ctx.node.name}_index_backward`, attrs: {} });
    return [ctx.entry(bwd, 0), ctx.entry(zero, 0)];
  },
  kernels: { forward: 'pick' },
});

export const pickBackward = defineBackward(pick, {
  name: '_backward_pick',
  kernel: 'pick_backward',
  inputs: () => [
    ['out_grad', ['fwdOut', 0]],
    ['index', ['fwdIn', 1]],
  ],
  numOutputs: () => 1,
});
