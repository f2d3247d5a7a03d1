// add_n (`ElementWiseSum`): the element-wise sum of num_args arrays of one shape. Autodiff also
// uses it to sum the gradients that reach one entry along several paths.

import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp } from '../op-def.js';
import { elementwise, MAX_NODE_ARITY } from './common.js';

const spec = {
  numArgs: attr.int({ required: true, min: 1, max: MAX_NODE_ARITY, describe: 'Number of inputs.' }),
};
export type AddNParams = ParamsOf<typeof spec>;

export const addN = defineOp<AddNParams>({
  name: 'add_n',
  aliases: ['ElementWiseSum'],
  describe: 'Adds all inputs element-wise.',
  attrs: new AttrSchema(spec),
  variadic: { key: 'args', countAttr: 'num_args' },
  inputNames: (p) => Array.from({ length: p.numArgs }, (_, i) => `arg${i}`),
  inferShape: elementwise,
  inferType: elementwise,
  gradient(ctx) {
    // Every input receives the output gradient, through its own copy (as MXNet) so that no two
    // gradient outputs alias one buffer.
    const og = ctx.ograd(0);
    return ctx.node.inputs.map((_, i) =>
      ctx.entry(ctx.makeNode('_copy', [og], { name: `${ctx.node.name}_in${i}_backward`, attrs: {}, controlDep: false }), 0),
    );
  },
  kernels: { forward: 'add_n' },
});
