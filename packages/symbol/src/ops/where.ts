// where: x where condition is non-zero, else y. x, y and the output share a shape; the condition
// has it too, or is a vector of x's first length (choosing whole rows). Gradient, as MXNet: a
// `zeros_like(condition)` named `<node>_cond_backward`, and `_backward_where` (output gradient and
// condition) whose two outputs are the gradients of x and y.

import { defineOp } from '../op-def.js';
import { defineBackward, NO_PARAMS, unify, type Ref } from './common.js';

const shared: readonly Ref[] = [
  ['in', 1],
  ['in', 2],
  ['out', 0],
];

export const where = defineOp<Record<never, never>>({
  name: 'where',
  describe: 'Chooses elements from x or y by a condition.',
  attrs: NO_PARAMS,
  inputNames: () => ['condition', 'x', 'y'],
  inferShape(ctx) {
    unify(ctx, shared);
    const [c, x] = ctx.inputs;
    if (!c || !x) return;
    if (c.length === x.length) unify(ctx, [['in', 0], ...shared]);
    else if (c.length === 1) ctx.setInput(0, [x[0]!]);
    else ctx.fail('condition must have the shape of x, or be a vector of the length of its first axis');
  },
  // The condition may be of any type.
  inferType: (ctx) => unify(ctx, shared),
  gradient(ctx) {
    const cond = ctx.input(0);
    const zero = ctx.makeNode('zeros_like', [cond], { name: `${ctx.node.name}_cond_backward`, attrs: {} });
    const bwd = ctx.makeNode('_backward_where', [ctx.ograd(0), cond]);
    return [ctx.entry(zero, 0), ctx.entry(bwd, 0), ctx.entry(bwd, 1)];
  },
  kernels: { forward: 'where' },
});

export const whereBackward = defineBackward(where, {
  name: '_backward_where',
  kernel: 'where_backward',
  inputs: () => [
    ['out_grad', ['fwdOut', 0]],
    ['condition', ['fwdIn', 0]],
  ],
  numOutputs: () => 2,
  outputs: () => [
    ['fwdIn', 1],
    ['fwdIn', 2],
  ],
});
