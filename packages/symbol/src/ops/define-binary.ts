// The family of two-input element-wise operators: `elemwise_*` and `_power`/`_maximum`/`_minimum`
// (inputs of one shape) and `broadcast_*` (NumPy broadcasting). Their gradient is a hidden op with
// two outputs, the gradients of lhs and rhs, taking the output gradient and, for products and the
// like, both inputs (MXNet's ElemwiseGradUseNone / UseIn); comparisons have zero gradient. The
// broadcast ops' backward ops sum each gradient back over the axes its input was broadcast along.

import type { KernelName } from '@bkt/ndarray/core';
import { defineOp, type OpDef } from '../op-def.js';
import { broadcastRule, defineBackward, elementwise, NO_PARAMS, zeroGradients } from './common.js';

type NoParams = Record<never, never>;

export interface BinaryGradient {
  /** The hidden backward op, defined here. */
  readonly op: string;
  /** 'in' also passes lhs and rhs. */
  readonly use: 'none' | 'in';
  readonly kernel: KernelName;
}

export interface BinarySpec {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly describe: string;
  readonly kernel: KernelName;
  readonly shape: 'elemwise' | 'broadcast';
  readonly gradient: BinaryGradient | 'zero';
}

/** Either input may be overwritten by the output. */
const FORWARD_INPLACE = [
  [0, 0],
  [1, 0],
] as const;

// MXNet lets a backward op that reads only the output gradient write both input gradients over
// it; one that also reads the inputs, only the rhs gradient.
const BACKWARD_INPLACE = {
  none: [
    [0, 0],
    [0, 1],
  ],
  in: [[0, 1]],
} as const;

export function defineBinary(spec: BinarySpec & { gradient: BinaryGradient }): { op: OpDef<NoParams>; backward: OpDef<NoParams> };
export function defineBinary(spec: BinarySpec): { op: OpDef<NoParams>; backward?: OpDef<NoParams> };
export function defineBinary(spec: BinarySpec): { op: OpDef<NoParams>; backward?: OpDef<NoParams> } {
  const grad = spec.gradient;
  const op = defineOp<NoParams>({
    name: spec.name,
    ...(spec.aliases ? { aliases: spec.aliases } : {}),
    describe: spec.describe,
    attrs: NO_PARAMS,
    inputNames: () => ['lhs', 'rhs'],
    inferShape: spec.shape === 'broadcast' ? broadcastRule : elementwise,
    inferType: elementwise,
    gradient(ctx) {
      if (grad === 'zero') return zeroGradients(ctx);
      const ins = grad.use === 'in' ? [ctx.ograd(0), ctx.input(0), ctx.input(1)] : [ctx.ograd(0)];
      const bwd = ctx.makeNode(grad.op, ins);
      return [ctx.entry(bwd, 0), ctx.entry(bwd, 1)];
    },
    kernels: { forward: spec.kernel },
    inplace: () => FORWARD_INPLACE,
  });
  if (grad === 'zero') return { op };
  const backward = defineBackward(op, {
    name: grad.op,
    kernel: grad.kernel,
    inputs: () =>
      grad.use === 'in'
        ? [
            ['out_grad', ['fwdOut', 0]],
            ['lhs', ['fwdIn', 0]],
            ['rhs', ['fwdIn', 1]],
          ]
        : [['out_grad', ['fwdOut', 0]]],
    numOutputs: () => 2,
    inplace: () => BACKWARD_INPLACE[grad.use],
  });
  return { op, backward };
}
