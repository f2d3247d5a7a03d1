// Building blocks shared by operator definitions: reference and unify entries of an inference
// context, element-wise rules, and the generic definition of a hidden backward op.

import { AttrSchema } from '../attrs.js';
import type { InferContext, OpDef, Shape } from '../op-def.js';

/** An entry of an inference context: this node's input/output, or its forward node's. */
export type Ref = readonly ['in' | 'out' | 'fwdIn' | 'fwdOut', number];

export function read<V>(ctx: InferContext<unknown, V>, r: Ref): V | undefined {
  const [kind, i] = r;
  switch (kind) {
    case 'in':
      return ctx.inputs[i];
    case 'out':
      return ctx.outputs[i];
    case 'fwdIn':
      return ctx.fwdInputs[i];
    case 'fwdOut':
      return ctx.fwdOutputs[i];
  }
}

export function write<V>(ctx: InferContext<unknown, V>, r: Ref, v: V): void {
  const [kind, i] = r;
  switch (kind) {
    case 'in':
      return ctx.setInput(i, v);
    case 'out':
      return ctx.setOutput(i, v);
    case 'fwdIn':
      return ctx.setFwdInput(i, v);
    case 'fwdOut':
      return ctx.setFwdOutput(i, v);
  }
}

/** Makes the referenced entries equal (shapes merged dimension by dimension, types equal). */
export function unify<V>(ctx: InferContext<unknown, V>, refs: readonly Ref[]): void {
  for (let round = 0; round < 2; round++) {
    for (const src of refs) {
      const v = read(ctx, src);
      if (v === undefined) continue;
      for (const dst of refs) if (dst !== src) write(ctx, dst, v);
    }
  }
}

/** Every input and output of the node, as refs. */
export function allRefs(ctx: InferContext<unknown, unknown>): Ref[] {
  return [
    ...ctx.inputs.map((_, i): Ref => ['in', i]),
    ...ctx.outputs.map((_, i): Ref => ['out', i]),
  ];
}

/** MXNet's ElemwiseShape / ElemwiseType: all inputs and outputs alike. */
export function elementwise<V>(ctx: InferContext<unknown, V>): void {
  unify(ctx, allRefs(ctx as InferContext<unknown, unknown>));
}

/** The product of the dimensions, or 0 when any is unknown. */
export function sizeOf(dims: readonly number[]): number {
  return dims.reduce((p, d) => p * d, 1);
}

export function normalizeAxis(axis: number, ndim: number, fail: (m: string) => never): number {
  const a = axis < 0 ? axis + ndim : axis;
  if (a < 0 || a >= ndim) fail(`axis ${axis} is out of range for ${ndim} dimensions`);
  return a;
}

/** A shape of rank `ndim` with every dimension unknown. */
export function unknownShape(ndim: number): Shape {
  return new Array<number>(ndim).fill(0);
}

export const NO_PARAMS = new AttrSchema<Record<never, never>>({});

/** A schema that accepts (and ignores) any attributes: for ops shared as the gradient of many ops. */
export const ANY_PARAMS = new AttrSchema<Record<never, never>>({}, { allowUnknown: true });

export interface BackwardSpec<P extends object> {
  name: string;
  kernel: string;
  /** Attribute schema; the forward op's by default (the gradient node carries a copy of its attributes). */
  attrs?: AttrSchema<P>;
  /** Names of the backward op's inputs and the forward entries they carry (`['fwdOut', 0]` for the output gradient). */
  inputs(params: P): readonly (readonly [string, Ref])[];
  /** Gradients produced, one per forward input (output i is the gradient of forward input i). */
  numOutputs(params: P): number;
}

/**
 * A hidden backward op (MXNet's `_backward_X`): it takes the forward op's attributes, depends on the
 * forward node (control dependency), has the shape and type of the forward entries it carries on its
 * inputs, and of the forward inputs on its outputs.
 */
export function defineBackward<P extends object>(forward: OpDef<P>, spec: BackwardSpec<P>): OpDef<P> {
  const rule = <V>(ctx: InferContext<P, V>): void => {
    const ins = spec.inputs(ctx.params);
    ins.forEach(([, ref], i) => unify(ctx, [['in', i], ref]));
    for (let i = 0; i < ctx.outputs.length; i++) unify(ctx, [['out', i], ['fwdIn', i]]);
  };
  return {
    name: spec.name,
    describe: `Gradient of ${forward.name} (hidden).`,
    attrs: spec.attrs ?? forward.attrs,
    backward: true,
    inputNames: (p) => spec.inputs(p).map(([n]) => n),
    numOutputs: (p) => spec.numOutputs(p),
    inferShape: rule,
    inferType: rule,
    kernels: { forward: spec.kernel },
  };
}
