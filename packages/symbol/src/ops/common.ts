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

/**
 * One element type for every input and output but input `free` (an index array such as RNN's and
 * the Sequence* operators' sequence_length, which may be of any type), which only defaults to it.
 * `free` may be out of range when the node has no such input.
 */
export function uniformTypeExcept<V>(ctx: InferContext<unknown, V>, free: number): void {
  const refs = allRefs(ctx as InferContext<unknown, unknown>).filter(([k, i]) => !(k === 'in' && i === free));
  unify(ctx, refs);
  const known = refs.map((r) => read(ctx, r)).find((v) => v !== undefined);
  if (known !== undefined && free < ctx.inputs.length && ctx.inputs[free] === undefined) ctx.setInput(free, known);
}

/** Inputs of SequenceMask, SequenceLast and SequenceReverse. */
export function sequenceInputNames(p: { useSequenceLength: boolean }): string[] {
  return p.useSequenceLength ? ['data', 'sequence_length'] : ['data'];
}

/**
 * The Sequence* operators' common rule: data is (T, N, ...) for time axis 0 or (N, T, ...) for
 * time axis 1, and sequence_length (input 1, when used) holds one length per batch item, (N,).
 */
export function sequenceLengthShape(ctx: InferContext<{ useSequenceLength: boolean }, Shape>, timeAxis: number): void {
  if (timeAxis !== 0 && timeAxis !== 1) ctx.fail(`axis must be 0 or 1, got ${timeAxis}`);
  const d = ctx.inputs[0];
  if (d && d.length < 2) ctx.fail('data must have at least two dimensions');
  if (!ctx.params.useSequenceLength) return;
  const batchAxis = 1 - timeAxis;
  if (d) ctx.setInput(1, [d[batchAxis]!]);
  const n = ctx.inputs[1]?.[0];
  const cur = ctx.inputs[0];
  if (cur && n) ctx.setInput(0, cur.map((x, i) => (i === batchAxis ? n : x)));
}

/** The layouts Convolution and Pooling accept; bkt computes the channel-first ones only. */
export const SPATIAL_LAYOUTS = ['NCDHW', 'NCHW', 'NCW', 'NDHWC', 'NHWC', 'NWC'] as const;

/** Checks that `layout` (if given) is the channel-first layout of `spatial` spatial axes. */
export function checkChannelFirst(layout: string | null, spatial: number, fail: (m: string) => never): void {
  const expected = ['NCW', 'NCHW', 'NCDHW'][spatial - 1];
  if (expected === undefined) fail(`expected 1 to 3 spatial axes, got ${spatial}`);
  if (layout !== null && layout !== expected) fail(`layout ${layout} is not supported for ${spatial}-D data (only ${expected})`);
}

/** A per-spatial-axis parameter (stride, dilate, pad): `dflt` on every axis when empty, else one value per axis. */
export function perAxis(values: readonly number[], spatial: number, dflt: number, what: string, fail: (m: string) => never): number[] {
  if (values.length === 0) return new Array<number>(spatial).fill(dflt);
  if (values.length !== spatial) fail(`${what} has ${values.length} values for ${spatial} spatial axes`);
  return [...values];
}
