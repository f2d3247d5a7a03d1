// Turns a symbol (plus the gradient graph of the arguments that want one) into the instruction list
// of a Plan: which node runs which kernel on which slots, in two segments (forward, then backward).
import { BindError, type Context, type DType, DTYPE_BYTES } from '@bkt/ndarray';
import { isKernelName, type PlanInstruction } from '@bkt/ndarray/internal';
import {
  buildGradient,
  type GradReq,
  Group,
  inferGraphShapes,
  inferGraphTypes,
  isCompleteShape,
  type Node,
  type NodeEntry,
  type Symbol,
  topoOrder,
} from '@bkt/symbol';

import { passEmbeddingsToRnns } from './embedding-fold.js';
import { packKernelAttrs } from './kernel-attrs.js';
import { type Group2Ctx, placeNodes } from './placement.js';

/** What a slot holds: a bound array (argument, aux, gradient), an executor-owned array (output,
 * head gradient) or an arena intermediate. */
export type SlotKind = 'arg' | 'aux' | 'grad' | 'output' | 'headGrad' | 'temp';

export interface Slot {
  kind: SlotKind;
  /** A temp written in place over this earlier temp (same bytes); set by markInPlace. */
  reuses?: number;
  /** Argument, aux-state or head-gradient name; output index as a string for outputs. */
  name: string;
  shape: number[];
  dtype: DType;
  /** The context its array lives on (the executor's unless group2ctx places its node elsewhere). */
  ctx: Context;
  /** For temps: the instruction that writes it and the last one that reads it. */
  def: number;
  lastUse: number;
}

export interface CompiledGraph {
  slots: Slot[];
  instructions: PlanInstruction[];
  nodeNames: string[];
  /** The operator behind each node name, as MXNet's profiler names it (`_backward_FullyConnected`, `_copy`). */
  opNames: string[];
  /** The graph node behind each entry of nodeNames; null for the gradient copies bkt adds itself. */
  nodes: (Node | null)[];
  /** Instructions [0, numForward) are the forward segment; the rest is backward. */
  numForward: number;
  argNames: string[];
  auxNames: string[];
  /** Slot of each forward output, in listOutputs order. */
  outputSlots: number[];
  /** Head-gradient variables in the order of the outputs they belong to. */
  headGrads: { name: string; output: number; slot: number }[];
  /** Per argument (listArguments order): the slot its gradient array fills, or -1. */
  gradSlots: number[];
  argSlots: number[];
  auxSlots: number[];
}

export interface CompileOptions {
  shapes: Readonly<Record<string, readonly number[]>>;
  dtypes: Readonly<Record<string, DType>>;
  gradReq: Readonly<Record<string, GradReq>>;
  /** The executor's context: where every node without a placement goes. */
  ctx: Context;
  /** Model parallelism: the context of each `__ctx_group__` (see placement.ts). */
  group2ctx?: Group2Ctx | undefined;
}

export function compile(symbol: Symbol, opts: CompileOptions): CompiledGraph {
  const argNames = symbol.listArguments();
  const auxNames = symbol.listAuxiliaryStates();
  const wrt = argNames.filter((n) => (opts.gradReq[n] ?? 'null') !== 'null');
  const grad = wrt.length > 0 ? buildGradient(symbol, wrt, { gradReq: opts.gradReq }) : undefined;
  const whole = grad ? Group([symbol, grad.symbol]) : symbol;

  // Head gradients take their outputs' shapes and types, which the gradient graph alone does not
  // always determine (transpose's gradient is a transpose of the head gradient, not tied to the forward node).
  const headShapes: Record<string, readonly number[]> = {};
  const headTypes: Record<string, DType> = {};
  if (grad) {
    const fwdShapes = inferGraphShapes(symbol, opts.shapes);
    const fwdTypes = inferGraphTypes(symbol, opts.dtypes);
    const used = new Set(whole.listArguments());
    for (const h of grad.headGrads.filter((g) => used.has(g.name))) {
      const out = symbol.outputs[h.output]!;
      const shape = fwdShapes.of(out);
      const dtype = fwdTypes.of(out);
      if (shape && isCompleteShape(shape)) headShapes[h.name] = shape;
      if (dtype !== undefined) headTypes[h.name] = dtype;
    }
  }
  const shapes = inferGraphShapes(whole, { ...headShapes, ...opts.shapes });
  const knownTypes = { ...headTypes, ...opts.dtypes };
  let types = inferGraphTypes(whole, knownTypes);
  // As MXNet's simple_bind: variables whose type nothing determines are float32.
  const untyped = types.nodes.filter((n) => n.isVariable && types.get(n) === undefined).map((n) => n.name);
  if (untyped.length > 0) {
    types = inferGraphTypes(whole, { ...Object.fromEntries(untyped.map((n) => [n, 'float32' as DType])), ...knownTypes });
  }

  const headGradOutput = new Map(grad?.headGrads.map((h) => [h.name, h.output]) ?? []);
  const placed = placeNodes(symbol, whole, { ctx: opts.ctx, group2ctx: opts.group2ctx, headGradOutputs: headGradOutput });
  const ctxOf = (n: Node): Context => placed.get(n) ?? opts.ctx;

  const forwardNodes = topoOrder(symbol.outputs).filter((n) => !n.isVariable);
  const forwardSet = new Set(forwardNodes);
  const backwardNodes = topoOrder(whole.outputs).filter((n) => !n.isVariable && !forwardSet.has(n));

  const slots: Slot[] = [];
  const slotOf = new Map<Node, number[]>();
  const describe = (e: NodeEntry): string => `${e.node.name} output ${e.index}`;
  const newSlot = (kind: SlotKind, name: string, e: NodeEntry, ctx: Context): number => {
    const shape = shapes.of(e);
    const dtype = types.of(e);
    if (!isCompleteShape(shape) || dtype === undefined) {
      throw new BindError(`bind: the shape or dtype of ${describe(e)} could not be inferred`);
    }
    slots.push({ kind, name, shape: [...shape!], dtype, ctx, def: -1, lastUse: -1 });
    return slots.length - 1;
  };
  const entrySlot = (e: NodeEntry): number => {
    const s = slotOf.get(e.node)?.[e.index];
    if (s === undefined) throw new BindError(`bind: ${describe(e)} is used before it is computed`);
    return s;
  };

  const argSlots: number[] = [];
  const auxSlots: number[] = [];
  const headGrads: CompiledGraph['headGrads'] = [];
  const argIndex = new Map(argNames.map((n, i) => [n, i]));
  const auxIndex = new Map(auxNames.map((n, i) => [n, i]));
  for (const n of topoOrder(whole.outputs).filter((v) => v.isVariable)) {
    const e = { node: n, index: 0, version: 0 };
    let kind: SlotKind;
    if (argIndex.has(n.name)) kind = 'arg';
    else if (auxIndex.has(n.name)) kind = 'aux';
    else if (headGradOutput.has(n.name)) kind = 'headGrad';
    else throw new BindError(`bind: variable '${n.name}' is neither an argument nor an auxiliary state`);
    const s = newSlot(kind, n.name, e, ctxOf(n));
    slotOf.set(n, [s]);
    if (kind === 'arg') argSlots[argIndex.get(n.name)!] = s;
    if (kind === 'aux') auxSlots[auxIndex.get(n.name)!] = s;
    if (kind === 'headGrad') headGrads.push({ name: n.name, output: headGradOutput.get(n.name)!, slot: s });
  }
  headGrads.sort((a, b) => a.output - b.output);

  // Forward outputs are executor-owned arrays the user can read; every other op output is a temp
  // until a gradient claims it below.
  const outputIndex = new Map<Node, Map<number, number>>();
  symbol.outputs.forEach((e, i) => {
    const m = outputIndex.get(e.node) ?? new Map<number, number>();
    if (!m.has(e.index)) m.set(e.index, i);
    outputIndex.set(e.node, m);
  });
  const instructions: PlanInstruction[] = [];
  const nodeNames: string[] = [];
  const opNames: string[] = [];
  const nodes: (Node | null)[] = [];
  const inplacePairs: (readonly (readonly [number, number])[])[] = [];
  // MXNet's _CrossDeviceCopy: a value read on another context is copied there once, before its
  // first reader on that context; later readers there share the copy.
  const copies = new Map<string, number>();
  const onContext = (src: number, ctx: Context): number => {
    const from = slots[src]!;
    if (from.ctx.equals(ctx)) return src;
    const key = `${src}@${ctx.deviceId}`;
    let dst = copies.get(key);
    const pc = instructions.length;
    if (dst === undefined) {
      slots.push({
        kind: 'temp',
        name: `${from.name}_${ctx}`,
        shape: [...from.shape],
        dtype: from.dtype,
        ctx,
        def: pc,
        lastUse: pc,
      });
      dst = slots.length - 1;
      copies.set(key, dst);
      from.lastUse = Math.max(from.lastUse, pc);
      nodeNames.push(`_CrossDeviceCopy of ${from.kind} '${from.name}' from ${from.ctx} to ${ctx}`);
      opNames.push('_CrossDeviceCopy');
      nodes.push(null);
      inplacePairs.push([]);
      instructions.push({ kernel: 'copy', inputs: [src], outputs: [dst], attrs: [], node: nodeNames.length - 1 });
    }
    return dst;
  };
  const emit = (n: Node): void => {
    const kernelName = n.op!.kernels.forward;
    // The type says it is a kernel name; an OpDef written in plain JS may still name any string.
    if (!isKernelName(kernelName)) {
      throw new BindError(`bind: ${n.describe()} needs kernel '${kernelName}', which the native addon does not have`);
    }
    const ctx = ctxOf(n);
    const fetched = n.inputs.map((e) => onContext(entrySlot(e), ctx));
    const pc = instructions.length;
    const inputs = fetched.map((s) => {
      slots[s]!.lastUse = Math.max(slots[s]!.lastUse, pc);
      return s;
    });
    const outputs: number[] = [];
    for (let i = 0; i < n.numOutputs(); i++) {
      const e = { node: n, index: i, version: 0 };
      const out = outputIndex.get(n)?.get(i);
      const s = out !== undefined ? newSlot('output', String(out), e, ctx) : newSlot('temp', `${n.name}_output${i}`, e, ctx);
      slots[s]!.def = pc;
      slots[s]!.lastUse = pc;
      outputs.push(s);
    }
    slotOf.set(n, outputs);
    nodeNames.push(n.describe());
    opNames.push(n.op!.name);
    nodes.push(n);
    inplacePairs.push(n.op!.inplace?.(n.params()) ?? []);
    const attrs = packKernelAttrs(kernelName, n.params(), { op: n.op!.name, node: nodeNames[nodeNames.length - 1]! });
    instructions.push({ kernel: kernelName, inputs, outputs, attrs, node: nodeNames.length - 1 });
  };
  forwardNodes.forEach(emit);
  passEmbeddingsToRnns(instructions, nodes, slots);
  const numForward = instructions.length;
  backwardNodes.forEach(emit);

  // Each gradient lands in its argument's gradient array, on the argument's context: directly when its
  // producer writes a temp there nobody else claimed and grad_req is 'write', else through a copy
  // (across contexts, that copy is the cross-device copy) or an accumulate instruction.
  const gradSlots = argNames.map(() => -1);
  const claimed = new Set<number>();
  grad?.args.forEach((arg, i) => {
    const e = grad.symbol.outputs[i]!;
    const src = entrySlot(e);
    const req = opts.gradReq[arg]!;
    const argAt = argIndex.get(arg)!;
    const argCtx = slots[argSlots[argAt]!]!.ctx;
    if (req === 'write' && slots[src]!.kind === 'temp' && slots[src]!.ctx.equals(argCtx) && !claimed.has(src)) {
      claimed.add(src);
      slots[src]!.kind = 'grad';
      slots[src]!.name = arg;
      gradSlots[argAt] = src;
      return;
    }
    const dst = newSlot('grad', arg, e, argCtx);
    gradSlots[argAt] = dst;
    const from = req === 'add' ? onContext(src, argCtx) : src;
    const pc = instructions.length;
    slots[from]!.lastUse = Math.max(slots[from]!.lastUse, pc);
    const crossing = slots[from]!.ctx.equals(argCtx) ? '' : ` (_CrossDeviceCopy from ${slots[from]!.ctx} to ${argCtx})`;
    nodeNames.push(`gradient of '${arg}'${crossing}`);
    // MXNet writes a gradient in place or adds it with its grad_req; bkt's extra copy gets an op name of its own.
    opNames.push(crossing ? '_CrossDeviceCopy' : req === 'add' ? '_grad_add' : '_copy');
    nodes.push(null);
    inplacePairs.push([]);
    instructions.push({
      kernel: req === 'add' ? 'add_to' : 'copy',
      inputs: [from],
      outputs: [dst],
      attrs: [],
      node: nodeNames.length - 1,
    });
  });

  markInPlace(slots, instructions, inplacePairs);

  return {
    slots,
    instructions,
    nodeNames,
    opNames,
    nodes,
    numForward,
    argNames,
    auxNames,
    outputSlots: symbol.outputs.map((e) => entrySlot(e)),
    headGrads,
    gradSlots,
    argSlots,
    auxSlots,
  };
}

// MXNet's in-place option: an output may take over an input's buffer when this instruction is that
// input's last reader, both are arena temps of the same size, and no other operand of the instruction
// is the same array.
function markInPlace(
  slots: Slot[],
  instructions: readonly PlanInstruction[],
  pairs: readonly (readonly (readonly [number, number])[])[],
): void {
  const taken = new Set<number>();
  instructions.forEach((ins, pc) => {
    for (const [i, o] of pairs[pc]!) {
      const src = ins.inputs[i];
      const dst = ins.outputs[o];
      if (src === undefined || dst === undefined || taken.has(src)) continue;
      const a = slots[src]!;
      const b = slots[dst]!;
      const sameBytes = slotBytes(a) === slotBytes(b);
      const readOnce = ins.inputs.filter((s) => s === src).length === 1;
      if (a.kind === 'temp' && b.kind === 'temp' && a.lastUse === pc && sameBytes && readOnce && b.reuses === undefined) {
        b.reuses = src;
        taken.add(src);
      }
    }
  });
}

/** Bytes of a slot's array. */
export const slotBytes = (s: Slot): number => s.shape.reduce((p, d) => p * d, 1) * DTYPE_BYTES[s.dtype];
