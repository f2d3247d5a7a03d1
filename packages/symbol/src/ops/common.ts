// Building blocks shared by operator definitions: reference and unify entries of an inference
// context, element-wise, broadcast and reduction shape rules, zero gradients, and the generic
// definition of a hidden backward op.

import type { KernelName } from '@bkt/ndarray/core';
import { AttrSchema, isHiddenKey } from '../attrs.js';
import type { NodeEntry } from '../graph.js';
import { formatShape } from '../infer.js';
import type { GradientContext, InferContext, OpDef, Shape, ShapeContext } from '../op-def.js';

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

/**
 * Makes the referenced entries equal (shapes merged dimension by dimension, types equal): everything
 * known is merged into the first entry, which is then written to the others — linear in the number
 * of entries (SliceChannel and Concat may have very many).
 */
export function unify<V>(ctx: InferContext<unknown, V>, refs: readonly Ref[]): void {
  const [pivot, ...rest] = refs;
  if (pivot === undefined) return;
  for (const src of rest) {
    const v = read(ctx, src);
    if (v !== undefined) write(ctx, pivot, v);
  }
  const merged = read(ctx, pivot);
  if (merged === undefined) return;
  for (const dst of rest) write(ctx, dst, merged);
}

/** Every input and output of the node, as refs. */
export function allRefs(ctx: InferContext<unknown, unknown>): Ref[] {
  return [...ctx.inputs.map((_, i): Ref => ['in', i]), ...ctx.outputs.map((_, i): Ref => ['out', i])];
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

/**
 * The most inputs or outputs one node may have (num_outputs, num_args): far beyond real graphs, low
 * enough that a hostile value cannot make inference allocate gigabytes before any shape is checked.
 */
export const MAX_NODE_ARITY = 2 ** 20;

export const NO_PARAMS = new AttrSchema<Record<never, never>>({});

/** The element types operators' `dtype` parameters accept (MXNet's MXNET_ADD_ALL_TYPES). */
export const DTYPES = ['float32', 'float64', 'float16', 'uint8', 'int8', 'int32', 'int64'] as const;

/** A schema that accepts (and ignores) any attributes: for ops shared as the gradient of many ops. */
export const ANY_PARAMS = new AttrSchema<Record<never, never>>({}, { allowUnknown: true });

export interface BackwardSpec<P extends object> {
  name: string;
  kernel: KernelName;
  /** Attribute schema; the forward op's by default (the gradient node carries a copy of its attributes). */
  attrs?: AttrSchema<P>;
  /** Names of the backward op's inputs and the forward entries they carry (`['fwdOut', 0]` for the output gradient). */
  inputs(params: P): readonly (readonly [string, Ref])[];
  /** Gradients produced, one per forward input (output i is the gradient of forward input i). */
  numOutputs(params: P): number;
  /** The forward entries the outputs carry when not forward input i for output i. */
  outputs?(params: P): readonly Ref[];
  inplace?(params: P): readonly (readonly [number, number])[];
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
    const outs = spec.outputs?.(ctx.params);
    for (let i = 0; i < ctx.outputs.length; i++) unify(ctx, [['out', i], outs?.[i] ?? ['fwdIn', i]]);
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
    ...(spec.inplace ? { inplace: spec.inplace } : {}),
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
  if (cur && n)
    ctx.setInput(
      0,
      cur.map((x, i) => (i === batchAxis ? n : x)),
    );
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
export function perAxis(
  values: readonly number[],
  spatial: number,
  dflt: number,
  what: string,
  fail: (m: string) => never,
): number[] {
  if (values.length === 0) return new Array<number>(spatial).fill(dflt);
  if (values.length !== spatial) fail(`${what} has ${values.length} values for ${spatial} spatial axes`);
  return [...values];
}

/** The hidden keys (`__ctx_group__` ...) of an attribute dict: what a gradient node keeps of a forward node whose parameters it does not take. */
export function hiddenOnly(attrs: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(attrs).filter(([k]) => isHiddenKey(k)));
}

/**
 * MXNet's MakeZeroGradNodes, for ops whose gradient is zero (comparisons, argmax, one_hot): a
 * `zeros_like` of every input, named `<node>_backward` (one input) or `<node>_in<i>_backward`.
 */
export function zeroGradients(ctx: GradientContext<unknown>): NodeEntry[] {
  const { node } = ctx;
  return node.inputs.map((e, i) => {
    const name = node.inputs.length === 1 ? `${node.name}_backward` : `${node.name}_in${i}_backward`;
    return ctx.entry(ctx.makeNode('zeros_like', [e], { name, attrs: {} }), 0);
  });
}

// The dimension `fromRight` axes from the end (0: the last axis); 1 beyond the rank, as
// broadcasting prepends unit axes.
const dimFromRight = (s: Shape, fromRight: number): number => s[s.length - 1 - fromRight] ?? 1;

/** NumPy broadcasting of two shapes (0 = unknown: a known dimension other than 1 decides). */
export function broadcastShapes(l: Shape, r: Shape, fail: (m: string) => never): Shape {
  const n = Math.max(l.length, r.length);
  const out: Shape = [];
  for (let k = n - 1; k >= 0; k--) {
    const a = dimFromRight(l, k);
    const b = dimFromRight(r, k);
    if (a === 0 || b === 0) {
      const known = a || b;
      out.push(known > 1 ? known : 0);
    } else if (a === b || b === 1) {
      out.push(a);
    } else if (a === 1) {
      out.push(b);
    } else {
      fail(`operands could not be broadcast together with shapes ${formatShape(l)} ${formatShape(r)}`);
    }
  }
  return out;
}

/**
 * MXNet's BinaryBroadcastShape, both ways: the output from the inputs; backward, an unknown
 * dimension of one input equals the output's where the other input has 1 there (elsewhere it may
 * be 1 or the output's).
 */
export function broadcastRule(ctx: ShapeContext<unknown>): void {
  const [l, r] = ctx.inputs;
  if (l && r) ctx.setOutput(0, broadcastShapes(l, r, ctx.fail));
  const o = ctx.outputs[0];
  if (!o) return;
  for (const [i, x, y] of [
    [0, l, r],
    [1, r, l],
  ] as const) {
    if (!x || !y) continue;
    ctx.setInput(
      i,
      x.map((d, j) => {
        const k = x.length - 1 - j;
        return d === 0 && dimFromRight(y, k) === 1 ? dimFromRight(o, k) : d;
      }),
    );
  }
}

/**
 * The axes a reduction removes (MXNet's ReduceAxesShapeImpl): every axis when `axes` is null or
 * empty (exclude or not), else the listed ones or, with `exclude`, all others. Ascending.
 */
export function reducedAxes(
  ndim: number,
  axes: readonly number[] | null,
  exclude: boolean,
  fail: (m: string) => never,
): number[] {
  if (axes === null || axes.length === 0) return Array.from({ length: ndim }, (_, i) => i);
  const listed = axes.map((a) => normalizeAxis(a, ndim, fail)).sort((a, b) => a - b);
  listed.forEach((a, i) => {
    if (i > 0 && listed[i - 1] === a) fail(`reduction axes have duplicates (${axes.join(', ')})`);
  });
  return exclude ? Array.from({ length: ndim }, (_, i) => i).filter((i) => !listed.includes(i)) : listed;
}

/**
 * Bidirectional rule of a reduction over `axes` (see reducedAxes): the output keeps the other
 * axes in order (all reduced: `(1,)`), or with `keepdims` has 1 on the reduced ones. Backward, the
 * output gives the kept dimensions of the data (and with keepdims its rank).
 */
export function reduceRule(
  ctx: ShapeContext<unknown>,
  axes: readonly number[] | null,
  keepdims: boolean,
  exclude: boolean,
): void {
  const o = ctx.outputs[0];
  if (!ctx.inputs[0] && o && keepdims) ctx.setInput(0, unknownShape(o.length));
  const d = ctx.inputs[0];
  if (!d) return;
  const reduced = new Set(reducedAxes(d.length, axes, exclude, ctx.fail));
  const kept = d.map((_, i) => i).filter((i) => !reduced.has(i));
  if (keepdims) {
    ctx.setOutput(
      0,
      d.map((x, i) => (reduced.has(i) ? 1 : x)),
    );
    ctx.setInput(
      0,
      d.map((x, i) => (reduced.has(i) ? x : ctx.outputs[0]![i]!)),
    );
  } else {
    ctx.setOutput(0, kept.length === 0 ? [1] : kept.map((i) => d[i]!));
    const out = ctx.outputs[0]!;
    ctx.setInput(
      0,
      d.map((x, i) => (reduced.has(i) ? x : out[kept.indexOf(i)]!)),
    );
  }
}

/**
 * The rule of an axis permutation (transpose, SwapAxis): output axis i is data axis perm[i], both
 * ways. `permOf` gets the rank, known from whichever side is.
 */
export function permuteRule(ctx: ShapeContext<unknown>, permOf: (ndim: number) => number[]): void {
  const known = ctx.inputs[0] ?? ctx.outputs[0];
  if (!known) return;
  const perm = permOf(known.length);
  if (ctx.inputs[0])
    ctx.setOutput(
      0,
      perm.map((p) => ctx.inputs[0]![p]!),
    );
  const o = ctx.outputs[0]!;
  const d = unknownShape(o.length);
  perm.forEach((p, i) => (d[p] = o[i]!));
  ctx.setInput(0, d);
}
