// expand_dims: inserts an axis of length 1 at `axis` (-ndim-1 <= axis <= ndim). A pure reshape:
// its gradient is `_backward_reshape`, a copy of the output gradient shaped like the data.

import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp } from '../op-def.js';
import { ANY_PARAMS, defineBackward, elementwise, normalizeAxis } from './common.js';

const spec = {
  axis: attr.int({ required: true, describe: 'Where to insert the new axis.' }),
};
export type ExpandDimsParams = ParamsOf<typeof spec>;

export const expandDims = defineOp<ExpandDimsParams>({
  name: 'expand_dims',
  describe: 'Inserts an axis of length 1.',
  attrs: new AttrSchema(spec),
  inputNames: () => ['data'],
  inferShape(ctx) {
    const d = ctx.inputs[0];
    if (d) {
      const a = normalizeAxis(ctx.params.axis, d.length + 1, ctx.fail);
      ctx.setOutput(0, [...d.slice(0, a), 1, ...d.slice(a)]);
    }
    const o = ctx.outputs[0];
    if (!o) return;
    if (o.length === 0) ctx.fail('the output must have at least one dimension');
    const a = normalizeAxis(ctx.params.axis, o.length, ctx.fail);
    if (o[a] !== 0 && o[a] !== 1) ctx.fail(`the output's axis ${a} must have length 1`);
    ctx.setInput(0, [...o.slice(0, a), ...o.slice(a + 1)]);
  },
  inferType: elementwise,
  gradient(ctx) {
    return [ctx.entry(ctx.makeNode('_backward_reshape', [ctx.ograd(0)]), 0)];
  },
  kernels: { forward: 'copy' },
  inplace: () => [[0, 0]],
});

/** `_backward_reshape`: MXNet's gradient of the reshaping ops, a copy shaped like the forward data. */
export const backwardReshape = defineBackward(expandDims, {
  name: '_backward_reshape',
  kernel: 'copy',
  attrs: ANY_PARAMS as unknown as AttrSchema<ExpandDimsParams>,
  inputs: () => [['out_grad', ['fwdOut', 0]]],
  numOutputs: () => 1,
  inplace: () => [[0, 0]],
});
