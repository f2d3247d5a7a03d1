// stack: joins num_args arrays of one shape along a new axis `axis` (-ndim-1 <= axis <= ndim).
// Its gradient `_backward_stack` splits the output gradient back into num_args parts.

import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp } from '../op-def.js';
import { defineBackward, elementwise, MAX_NODE_ARITY, normalizeAxis, unify, type Ref } from './common.js';

const spec = {
  axis: attr.int({ default: 0, describe: 'Where the new axis goes in the output.' }),
  numArgs: attr.int({ required: true, min: 1, max: MAX_NODE_ARITY, describe: 'Number of inputs.' }),
};
export type StackParams = ParamsOf<typeof spec>;

export const stack = defineOp<StackParams>({
  name: 'stack',
  describe: 'Joins arrays along a new axis.',
  attrs: new AttrSchema(spec),
  variadic: { key: 'data', countAttr: 'num_args' },
  inputNames: (p) => Array.from({ length: p.numArgs }, (_, i) => `arg${i}`),
  inferShape(ctx) {
    const n = ctx.params.numArgs;
    const o = ctx.outputs[0];
    if (o) {
      if (o.length === 0) ctx.fail('the output must have at least one dimension');
      const a = normalizeAxis(ctx.params.axis, o.length, ctx.fail);
      if (o[a] !== 0 && o[a] !== n) ctx.fail(`the output's axis ${a} must have length num_args=${n}`);
      ctx.setInput(0, [...o.slice(0, a), ...o.slice(a + 1)]);
    }
    unify(
      ctx,
      ctx.inputs.map((_, i): Ref => ['in', i]),
    );
    const d = ctx.inputs.find((s) => s !== undefined);
    if (!d) return;
    const a = normalizeAxis(ctx.params.axis, d.length + 1, ctx.fail);
    ctx.setOutput(0, [...d.slice(0, a), n, ...d.slice(a)]);
  },
  inferType: elementwise,
  gradient(ctx) {
    const bwd = ctx.makeNode('_backward_stack', [ctx.ograd(0)]);
    return ctx.node.inputs.map((_, i) => ctx.entry(bwd, i));
  },
  kernels: { forward: 'stack' },
});

export const stackBackward = defineBackward(stack, {
  name: '_backward_stack',
  kernel: 'stack_backward',
  inputs: () => [['out_grad', ['fwdOut', 0]]],
  numOutputs: (p) => p.numArgs,
});
