// Stand-ins for operators that the other part of @bkt/symbol 2 defines (elemwise_mul,
// _rminus_scalar, expand_dims, SwapAxis, ones_like, where) and the RNN cells compose. They are
// registered only while that part is not merged, so the cell tests run on this branch; shape and
// type rules only, no gradients. Delete this file once both parts are merged.

import { AttrSchema, attr, defineOp, findOp, registerOp, type AnyOpDef } from '../src/index.js';
import { NO_PARAMS, elementwise, normalizeAxis } from '../src/ops/common.js';

const unary = (name: string, attrs: AttrSchema<object> = NO_PARAMS): AnyOpDef =>
  defineOp({ name, attrs, inputNames: () => ['data'], inferShape: elementwise, inferType: elementwise, kernels: { forward: name } });

const STAND_INS: AnyOpDef[] = [
  defineOp({ name: 'elemwise_mul', attrs: NO_PARAMS, inputNames: () => ['lhs', 'rhs'], inferShape: elementwise, inferType: elementwise, kernels: { forward: 'mul' } }),
  defineOp({ name: 'where', attrs: NO_PARAMS, inputNames: () => ['condition', 'x', 'y'], inferShape: elementwise, inferType: elementwise, kernels: { forward: 'where' } }),
  unary('_rminus_scalar', new AttrSchema({ scalar: attr.float({ required: true }) })),
  unary('ones_like'),
  defineOp<{ axis: number }>({
    name: 'expand_dims',
    attrs: new AttrSchema({ axis: attr.int({ required: true }) }),
    inputNames: () => ['data'],
    inferShape(ctx) {
      const d = ctx.inputs[0];
      if (d) {
        const a = normalizeAxis(ctx.params.axis, d.length + 1, ctx.fail);
        ctx.setOutput(0, [...d.slice(0, a), 1, ...d.slice(a)]);
      }
      const o = ctx.outputs[0];
      if (o) ctx.setInput(0, o.filter((_, i) => i !== normalizeAxis(ctx.params.axis, o.length, ctx.fail)));
    },
    inferType: elementwise,
    kernels: { forward: 'copy' },
  }),
  defineOp<{ dim1: number; dim2: number }>({
    name: 'SwapAxis',
    aliases: ['swapaxes'],
    attrs: new AttrSchema({ dim1: attr.int({ default: 0 }), dim2: attr.int({ default: 0 }) }),
    inputNames: () => ['data'],
    inferShape(ctx) {
      const swap = (s: readonly number[]): number[] => {
        const t = [...s];
        [t[ctx.params.dim1], t[ctx.params.dim2]] = [s[ctx.params.dim2]!, s[ctx.params.dim1]!];
        return t;
      };
      if (ctx.inputs[0]) ctx.setOutput(0, swap(ctx.inputs[0]));
      if (ctx.outputs[0]) ctx.setInput(0, swap(ctx.outputs[0]));
    },
    inferType: elementwise,
    kernels: { forward: 'swap_axis' },
  }),
];

for (const op of STAND_INS) if (!findOp(op.name)) registerOp(op);
