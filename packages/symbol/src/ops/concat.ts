// Concat: joins num_args arrays along axis `dim`; all other axes must agree.

import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp, type Shape } from '../op-def.js';
import { defineBackward, elementwise, MAX_NODE_ARITY, normalizeAxis } from './common.js';

const spec = {
  numArgs: attr.int({ required: true, min: 1, max: MAX_NODE_ARITY, describe: 'Number of inputs.' }),
  dim: attr.int({ default: 1, describe: 'The axis to concatenate along.' }),
};
export type ConcatParams = ParamsOf<typeof spec>;

const argNames = (n: number): string[] => Array.from({ length: n }, (_, i) => `arg${i}`);

export const concat = defineOp<ConcatParams>({
  name: 'Concat',
  aliases: ['concat'],
  describe: 'Joins arrays along an existing axis.',
  attrs: new AttrSchema(spec),
  variadic: { key: 'data', countAttr: 'num_args' },
  inputNames: (p) => argNames(p.numArgs),
  inferShape(ctx) {
    const n = ctx.inputs.length;
    const known = [...ctx.inputs, ctx.outputs[0]].find((s) => s !== undefined);
    if (!known) return;
    const ndim = known.length;
    const axis = normalizeAxis(ctx.params.dim, ndim, ctx.fail);
    // Every axis but `axis` is shared by all inputs and the output.
    const common: Shape = new Array<number>(ndim).fill(0);
    for (const s of [...ctx.inputs, ctx.outputs[0]]) {
      if (!s) continue;
      if (s.length !== ndim) ctx.fail(`all inputs and the output must have ${ndim} dimensions`);
      s.forEach((d, i) => {
        if (i !== axis && d !== 0) {
          if (common[i] !== 0 && common[i] !== d) ctx.fail(`dimension ${i} differs between inputs (${common[i]} vs ${d})`);
          common[i] = d;
        }
      });
    }
    for (let i = 0; i < n; i++)
      ctx.setInput(
        i,
        common.map((d, k) => (k === axis ? (ctx.inputs[i]?.[k] ?? 0) : d)),
      );
    const sizes = ctx.inputs.map((s) => s![axis]!);
    const unknown = sizes.map((d, i) => (d === 0 ? i : -1)).filter((i) => i >= 0);
    const sum = sizes.reduce((a, b) => a + b, 0);
    ctx.setOutput(
      0,
      common.map((d, k) => (k === axis ? (unknown.length === 0 ? sum : 0) : d)),
    );
    const total = ctx.outputs[0]![axis]!;
    if (unknown.length === 1 && total !== 0) {
      const rest = total - sum;
      if (rest <= 0) ctx.fail(`the output's axis ${axis} (${total}) is too small for the inputs (${sum})`);
      ctx.setInput(
        unknown[0]!,
        common.map((d, k) => (k === axis ? rest : d)),
      );
    }
  },
  inferType: elementwise,
  gradient(ctx) {
    const bwd = ctx.makeNode('_backward_Concat', [ctx.ograd(0)]);
    return ctx.node.inputs.map((_, i) => ctx.entry(bwd, i));
  },
  kernels: { forward: 'concat' },
});

export const concatBackward = defineBackward(concat, {
  name: '_backward_Concat',
  kernel: 'concat_backward',
  inputs: () => [['out_grad', ['fwdOut', 0]]],
  numOutputs: (p) => p.numArgs,
});
