// The reductions over axes (`sum`, `mean`, `max`, `min`): MXNet's ReduceAxesParam (axis None or an
// int or tuple, keepdims, exclude), its output shape rule, and a hidden backward op that either
// spreads the output gradient back (sum, mean) or also reads the data and the output to find where
// the extremum was (max, min: MXNet's ReduceGrad).

import type { KernelName } from '@bkt/ndarray/core';
import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import type { NodeEntry } from '../graph.js';
import { defineOp, type GradientContext, type OpDef } from '../op-def.js';
import { defineBackward, elementwise, reduceRule, type Ref } from './common.js';

const spec = {
  axis: attr.optional(attr.axes(), { describe: 'Axes to reduce; None (or ()) reduces all.' }),
  keepdims: attr.bool(false, { describe: 'Keep the reduced axes as axes of length 1.' }),
  exclude: attr.bool(false, { describe: 'Reduce every axis except those listed.' }),
};
export type ReduceParams = ParamsOf<typeof spec>;

/** An `axis` parameter (None, an int or a tuple) as a list, or null for "all". */
export const axesOf = (axis: number | number[] | null): number[] | null =>
  axis === null ? null : typeof axis === 'number' ? [axis] : axis;

/** What a reduction's backward op reads: the output gradient, or also the data and the output. */
export type ReduceGradUse = 'none' | 'inout';

/** The gradient node of a reduction (named `<node>_backward`, forward parameters). */
export function reduceGradient(ctx: GradientContext<unknown>, op: string, use: ReduceGradUse): NodeEntry[] {
  const ins = use === 'inout' ? [ctx.ograd(0), ctx.input(0), ctx.output(0)] : [ctx.ograd(0)];
  return [ctx.entry(ctx.makeNode(op, ins), 0)];
}

/** The inputs of a reduction's backward op, as defineBackward wants them. */
export function reduceBackwardInputs(use: ReduceGradUse): readonly (readonly [string, Ref])[] {
  const ograd = ['out_grad', ['fwdOut', 0]] as const;
  return use === 'inout' ? [ograd, ['data', ['fwdIn', 0]], ['out_data', ['fwdOut', 0]]] : [ograd];
}

export interface ReduceSpec {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly describe: string;
  readonly kernel: KernelName;
  readonly gradient: { readonly op: string; readonly use: ReduceGradUse; readonly kernel: KernelName };
}

export function defineReduce(s: ReduceSpec): { op: OpDef<ReduceParams>; backward: OpDef<ReduceParams> } {
  const { gradient: grad } = s;
  const op = defineOp<ReduceParams>({
    name: s.name,
    ...(s.aliases ? { aliases: s.aliases } : {}),
    describe: s.describe,
    attrs: new AttrSchema(spec),
    inputNames: () => ['data'],
    inferShape: (ctx) => reduceRule(ctx, axesOf(ctx.params.axis), ctx.params.keepdims, ctx.params.exclude),
    inferType: elementwise,
    gradient: (ctx) => reduceGradient(ctx, grad.op, grad.use),
    kernels: { forward: s.kernel },
  });
  const backward = defineBackward(op, {
    name: grad.op,
    kernel: grad.kernel,
    inputs: () => reduceBackwardInputs(grad.use),
    numOutputs: () => 1,
  });
  return { op, backward };
}
