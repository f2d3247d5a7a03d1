// The family of element-wise single-input operators (unary math, clip, `_*_scalar`): same shape
// and type in and out, and a gradient built as MXNet's ElemwiseGradUse{None,In,Out} builds it — one
// node of op `op` taking the output gradient plus the forward input or output — or zero.

import type { KernelName } from '@bkt/ndarray/core';
import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import type { NodeEntry } from '../graph.js';
import { defineOp, type GradientContext, type OpDef } from '../op-def.js';
import { defineBackward, elementwise, hiddenOnly, NO_PARAMS, type Ref, zeroGradients } from './common.js';

/** What the gradient node takes besides the output gradient: nothing, the input or the output. */
export type GradUse = 'none' | 'in' | 'out';

export interface UnaryGradient {
  /** The op of the gradient node: a hidden `_backward_<name>` (see `hidden`) or an existing op. */
  readonly op: string;
  readonly use: GradUse;
  /** The gradient node gets the forward node's parameters (MXNet's default), or only its hidden keys when `op` takes none. */
  readonly attrs?: 'forward' | 'hidden';
  /** The kernel computing the gradient (`op`'s). */
  readonly kernel: KernelName;
  /** Define `op` here as a hidden backward op with the forward op's parameters and these in-place pairs. */
  readonly hidden?: { readonly inplace?: readonly (readonly [number, number])[] };
}

export interface UnarySpec<P extends object> {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly describe: string;
  readonly attrs?: AttrSchema<P>;
  readonly kernel: KernelName;
  /** Forward in-place pairs; MXNet's unary and scalar ops compute in place. */
  readonly inplace?: readonly (readonly [number, number])[];
  /** The gradient, or 'zero' for MXNet's MakeZeroGradNodes. */
  readonly gradient: UnaryGradient | 'zero';
}

const SECOND_INPUT: Record<Exclude<GradUse, 'none'>, readonly [string, Ref]> = {
  in: ['in_data', ['fwdIn', 0]],
  out: ['out_data', ['fwdOut', 0]],
};

const scalarSpec = {
  scalar: attr.float({ required: true, describe: 'The scalar operand.' }),
};
export type ScalarParams = ParamsOf<typeof scalarSpec>;

/** The parameters of every `_*_scalar` op. */
export const SCALAR_ATTRS = new AttrSchema(scalarSpec);

/** MXNet's unary and scalar ops may write the output over the input. */
export const UNARY_INPLACE = [[0, 0]] as const;

/** MXNet's element-wise backward ops (`_backward_relu` ...) may write the input gradient over either input. */
export const UNARY_BACKWARD_INPLACE = [
  [0, 0],
  [1, 0],
] as const;

type WithHidden<P extends object> = UnarySpec<P> & { readonly gradient: UnaryGradient & Required<Pick<UnaryGradient, 'hidden'>> };

export function defineUnary<P extends object = Record<never, never>>(spec: WithHidden<P>): { op: OpDef<P>; backward: OpDef<P> };
export function defineUnary<P extends object = Record<never, never>>(spec: UnarySpec<P>): { op: OpDef<P>; backward?: OpDef<P> };
export function defineUnary<P extends object>(spec: UnarySpec<P>): { op: OpDef<P>; backward?: OpDef<P> } {
  const grad = spec.gradient;
  const inplace = spec.inplace;
  const op = defineOp<P>({
    name: spec.name,
    ...(spec.aliases ? { aliases: spec.aliases } : {}),
    describe: spec.describe,
    attrs: spec.attrs ?? (NO_PARAMS as unknown as AttrSchema<P>),
    inputNames: () => ['data'],
    inferShape: elementwise,
    inferType: elementwise,
    gradient:
      grad === 'zero'
        ? (ctx) => zeroGradients(ctx)
        : (ctx: GradientContext<P>): NodeEntry[] => {
            const ins = [ctx.ograd(0)];
            if (grad.use === 'in') ins.push(ctx.input(0));
            if (grad.use === 'out') ins.push(ctx.output(0));
            const attrs = grad.attrs === 'hidden' ? { attrs: hiddenOnly(ctx.node.attrs) } : {};
            return [ctx.entry(ctx.makeNode(grad.op, ins, attrs), 0)];
          },
    kernels: { forward: spec.kernel },
    ...(inplace ? { inplace: () => inplace } : {}),
  });
  if (grad === 'zero' || !grad.hidden) return { op };
  const bwdInplace = grad.hidden.inplace;
  const backward = defineBackward(op, {
    name: grad.op,
    kernel: grad.kernel,
    inputs: () => [['out_grad', ['fwdOut', 0]], ...(grad.use === 'none' ? [] : [SECOND_INPUT[grad.use]])],
    numOutputs: () => 1,
    ...(bwdInplace ? { inplace: () => bwdInplace } : {}),
  });
  return { op, backward };
}
