// Add, Sub, Mul, Div, Max, Min, Pow → broadcast_* (numpy broadcasting from the right, as ONNX);
// a one-value constant operand makes it a `_*_scalar` op, another constant becomes a parameter.
// Sum → add_n.

import { registerImporter } from '../registry.js';

const BROADCAST: Readonly<Record<string, string>> = {
  Add: 'broadcast_add',
  Sub: 'broadcast_sub',
  Mul: 'broadcast_mul',
  Div: 'broadcast_div',
  Max: 'broadcast_maximum',
  Min: 'broadcast_minimum',
  Pow: 'broadcast_power',
};

/** The scalar op for `x op c` and for `c op x`. */
const SCALAR: Readonly<Record<string, readonly [string, string]>> = {
  Add: ['_plus_scalar', '_plus_scalar'],
  Sub: ['_minus_scalar', '_rminus_scalar'],
  Mul: ['_mul_scalar', '_mul_scalar'],
  Div: ['_div_scalar', '_rdiv_scalar'],
  Max: ['_maximum_scalar', '_maximum_scalar'],
  Min: ['_minimum_scalar', '_minimum_scalar'],
  Pow: ['_power_scalar', '_rpower_scalar'],
};

registerImporter(Object.keys(BROADCAST), {
  usedInputs: (ctx) => [0, 1].filter((i) => !ctx.constant(i)),
  convert(ctx) {
    if (ctx.node.input.length !== 2) ctx.fail(`${ctx.node.input.length} inputs: two are read`);
    for (const side of [1, 0] as const) {
      const c = ctx.constant(side);
      if (c && c.data.length === 1 && !ctx.constant(1 - side)) {
        ctx.setOutput(0, ctx.op(SCALAR[ctx.opType]![side === 1 ? 0 : 1]!, { data: ctx.input(1 - side), scalar: c.data[0] }));
        return;
      }
    }
    ctx.setOutput(0, ctx.op(BROADCAST[ctx.opType]!, { lhs: ctx.inputOrParam(0), rhs: ctx.inputOrParam(1) }));
  },
});

registerImporter('Sum', {
  usedInputs: (ctx) => ctx.node.input.map((_, i) => i).filter((i) => !ctx.constant(i)),
  convert(ctx) {
    const args = ctx.node.input.map((_, i) => ctx.inputOrParam(i));
    ctx.setOutput(0, args.length === 1 ? args[0]! : ctx.op('add_n', { args }));
  },
});
