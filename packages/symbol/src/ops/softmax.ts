// softmax: exp(x / temperature) normalized along `axis`; with use_length, only the first
// length[i] elements of each row count (the `length` input, shaped like data without `axis`).
// `dtype` sets the output type. Gradient, as MXNet's SoftmaxFGradient: `_backward_softmax` from the
// output gradient and the output — and the data (and length) too when dtype or use_length is set.
// log_softmax shares all of this (see defineSoftmax).

import type { DType, KernelName } from '@bkt/ndarray/core';
import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp, type OpDef } from '../op-def.js';
import { defineBackward, normalizeAxis, unify, type Ref } from './common.js';

const spec = {
  axis: attr.int({ default: -1, describe: 'The axis to normalize along.' }),
  temperature: attr.optional(attr.float(), { describe: 'Divides the input; None is 1.' }),
  dtype: attr.optional(attr.enumOf(['float16', 'float32', 'float64']), { describe: 'Type of the output; None: the input type.' }),
  useLength: attr.optional(attr.bool(false), { default: false, describe: 'Mask each row by the `length` input.' }),
};
export type SoftmaxParams = ParamsOf<typeof spec>;

const SOFTMAX_ATTRS = new AttrSchema(spec);

// The backward op reads the data (and length) as well when the forward one has them to offer.
const readsInputs = (p: SoftmaxParams): boolean => p.dtype !== null || p.useLength === true;

export function defineSoftmax(s: {
  name: string;
  describe: string;
  kernel: Extract<KernelName, 'softmax' | 'log_softmax'>;
  backward: string;
}): { op: OpDef<SoftmaxParams>; backward: OpDef<SoftmaxParams> } {
  const bkernel = `${s.kernel}_backward` as const;
  const op = defineOp<SoftmaxParams>({
    name: s.name,
    describe: s.describe,
    attrs: SOFTMAX_ATTRS,
    inputNames: (p) => (p.useLength ? ['data', 'length'] : ['data']),
    inferShape(ctx) {
      unify(ctx, [
        ['in', 0],
        ['out', 0],
      ]);
      const d = ctx.inputs[0];
      if (!d) return;
      const a = normalizeAxis(ctx.params.axis, d.length, ctx.fail);
      // MXNet gives the length of a vector's softmax the shape (1,).
      if (ctx.params.useLength) ctx.setInput(1, d.length === 1 ? [1] : [...d.slice(0, a), ...d.slice(a + 1)]);
    },
    inferType(ctx) {
      // The length may be of any type.
      const t = ctx.params.dtype;
      if (t === null)
        return unify(ctx, [
          ['in', 0],
          ['out', 0],
        ]);
      ctx.setOutput(0, t as DType);
      if (ctx.inputs[0] === undefined) ctx.setInput(0, t as DType);
    },
    gradient(ctx) {
      const ins = [ctx.ograd(0)];
      if (readsInputs(ctx.params)) ins.push(...ctx.node.inputs.map((_, i) => ctx.input(i)));
      ins.push(ctx.output(0));
      const bwd = ctx.makeNode(s.backward, ins);
      return ctx.node.inputs.map((_, i) => ctx.entry(bwd, i));
    },
    kernels: { forward: s.kernel },
  });
  const backward = defineBackward(op, {
    name: s.backward,
    kernel: bkernel,
    inputs: (p) => {
      const ins: (readonly [string, Ref])[] = [['out_grad', ['fwdOut', 0]]];
      if (readsInputs(p)) ins.push(['data', ['fwdIn', 0]], ...(p.useLength ? [['length', ['fwdIn', 1]] as const] : []));
      ins.push(['out_data', ['fwdOut', 0]]);
      return ins;
    },
    numOutputs: (p) => (p.useLength ? 2 : 1),
  });
  return { op, backward };
}

export const { op: softmax, backward: softmaxBackward } = defineSoftmax({
  name: 'softmax',
  describe: 'Applies the softmax function along an axis.',
  kernel: 'softmax',
  backward: '_backward_softmax',
});
