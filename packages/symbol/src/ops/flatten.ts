// Flatten (`flatten`): (d0, d1, ..., dk) -> (d0, d1*...*dk); a pure reshape, so its gradient is a
// `_backward_copy` of the output gradient.

import { defineOp } from '../op-def.js';
import { elementwise, NO_PARAMS, sizeOf } from './common.js';

export const flatten = defineOp<Record<never, never>>({
  name: 'Flatten',
  aliases: ['flatten'],
  describe: 'Collapses all axes but the first.',
  attrs: NO_PARAMS,
  inputNames: () => ['data'],
  inferShape(ctx) {
    const d = ctx.inputs[0];
    if (d) {
      if (d.length === 0) ctx.fail('data must have at least one dimension');
      ctx.setOutput(0, [d[0]!, sizeOf(d.slice(1))]);
    }
    const o = ctx.outputs[0];
    const cur = ctx.inputs[0];
    if (!o || !cur) return;
    if (o.length !== 2) ctx.fail('the output must have two dimensions');
    // Backward: the first axis, and one unknown trailing axis from the element count.
    const rest = cur.slice(1);
    const missing = rest.filter((x) => x === 0).length;
    const known = rest.reduce((p, x) => (x === 0 ? p : p * x), 1);
    const fill = missing === 1 && o[1]! % known === 0 ? o[1]! / known : 0;
    ctx.setInput(0, [o[0]!, ...rest.map((x) => (x === 0 ? fill : x))]);
  },
  inferType: elementwise,
  gradient(ctx) {
    return [ctx.entry(ctx.makeNode('_backward_copy', [ctx.ograd(0)]), 0)];
  },
  kernels: { forward: 'copy' },
  inplace: () => [[0, 0]],
});
