// Symbol: a list of output entries of graph nodes (nnvm::Symbol). Everything that lists nodes walks
// the graph in nnvm's post-order DFS, so names and orders are the ones MXNet produces.

import { IndexError, ownValue, setOwn, ValueError, type DType } from '@bkt/ndarray/core';
import type { GradientOptions } from './autodiff.js';
import type { CommonArgs } from './creator.js';
import { copyGraph, dfsPostOrder, entry, updateNodeVersion, type Node, type NodeEntry } from './graph.js';
import { hiddenSetAttrKey, isHiddenName, unhiddenKey } from './hidden-keys.js';
import {
  inferShape,
  inferShapePartial,
  inferType,
  inferTypePartial,
  type PartialShapeResult,
  type PartialTypeResult,
  type ShapeResult,
  type TypeResult,
} from './infer.js';
import { getOp } from './registry.js';
import { symbolHook } from './symbol-hooks.js';

export class Symbol {
  readonly outputs: readonly NodeEntry[];

  constructor(outputs: readonly NodeEntry[]) {
    this.outputs = [...outputs];
  }

  get numOutputs(): number {
    return this.outputs.length;
  }

  /** The node name when every output comes from one node (MXNet's `sym.name`), else undefined. */
  get name(): string | undefined {
    const n = this.singleNode();
    return n?.name;
  }

  /** Arguments (variables that are not auxiliary states), in DFS post-order. */
  listArguments(): string[] {
    return this.argumentNodes().map((n) => n.name);
  }

  /** Auxiliary states (variables that some op mutates), in DFS post-order. */
  listAuxiliaryStates(): string[] {
    return this.auxiliaryNodes().map((n) => n.name);
  }

  /** All variables, arguments and auxiliary states, in DFS post-order. */
  listInputs(): string[] {
    return this.inputNodes().map((n) => n.name);
  }

  /** Output names: a variable's name, else `<node>_output` (or the op's own names, `_output<i>`). */
  listOutputs(): string[] {
    return this.outputs.map((e) => e.node.outputName(e.index));
  }

  /** Variable nodes in DFS post-order. */
  inputNodes(): Node[] {
    const out: Node[] = [];
    dfsPostOrder(this.outputs, (n) => {
      if (n.isVariable) out.push(n);
    });
    return out;
  }

  argumentNodes(): Node[] {
    const mutable = this.mutableNodes();
    return this.inputNodes().filter((n) => !mutable.has(n));
  }

  auxiliaryNodes(): Node[] {
    const mutable = this.mutableNodes();
    return this.inputNodes().filter((n) => mutable.has(n));
  }

  private mutableNodes(): Set<Node> {
    const set = new Set<Node>();
    dfsPostOrder(this.outputs, (n) => {
      if (!n.isVariable) for (const i of n.mutableInputs()) set.add(n.inputs[i]!.node);
    });
    return set;
  }

  /** Every variable and every visible output of every node, in DFS post-order. */
  getInternals(): Symbol {
    const out: NodeEntry[] = [];
    dfsPostOrder(this.outputs, (n) => {
      if (n.isVariable) out.push(entry(n, 0, n.version));
      else for (let i = 0; i < n.numVisibleOutputs(); i++) out.push(entry(n, i, 0));
    });
    return new Symbol(out);
  }

  /** The inputs of the output nodes (each output node once), or null when there are none. */
  getChildren(): Symbol | null {
    const seen = new Set<Node>();
    const out: NodeEntry[] = [];
    for (const e of this.outputs) {
      if (seen.has(e.node)) continue;
      seen.add(e.node);
      out.push(...e.node.inputs);
    }
    return out.length === 0 ? null : new Symbol(out);
  }

  /** One output, by position or by name (as listed by listOutputs). */
  at(index: number | string): Symbol {
    if (typeof index === 'string') {
      const names = this.listOutputs();
      let found = -1;
      names.forEach((n, i) => {
        if (n !== index) return;
        if (found >= 0) throw new ValueError(`There are multiple outputs with name "${index}"`);
        found = i;
      });
      if (found < 0) throw new ValueError(`Cannot find output that matches name "${index}"`);
      index = found;
    }
    if (!Number.isInteger(index) || index < 0 || index >= this.outputs.length) {
      throw new IndexError(`output index ${index} out of range for a symbol with ${this.outputs.length} outputs`);
    }
    return new Symbol([this.outputs[index]!]);
  }

  /**
   * A copy of this graph with the named free variables replaced by the given single-output symbols
   * (MXNet's `sym(name=..., data=...)`). `name` renames the head node. Unlike nnvm, the head keeps
   * its name when none is given (nnvm would blank it).
   */
  compose(inputs: Readonly<Record<string, Symbol>>, opts: { name?: string } = {}): Symbol {
    const head = this.outputs[0];
    if (!head) throw new ValueError('compose: empty symbol');
    if (head.node.isVariable) throw new ValueError(`compose: variable '${head.node.name}' cannot be composed`);
    for (const [k, s] of Object.entries(inputs)) {
      if (s.outputs.length !== 1)
        throw new ValueError(`compose: argument '${k}' has ${s.outputs.length} outputs; one is required`);
    }
    const { heads } = copyGraph(this.outputs);
    if (opts.name !== undefined) heads[0]!.node.name = opts.name;
    const copy = new Symbol(heads);
    const matched = new Set<string>();
    const replace = new Map<Node, NodeEntry>();
    for (const v of copy.inputNodes()) {
      const s = inputs[v.name];
      if (s) {
        replace.set(v, s.outputs[0]!);
        matched.add(v.name);
      }
    }
    const missing = Object.keys(inputs).filter((k) => !matched.has(k));
    if (missing.length > 0) {
      const candidates = copy
        .listInputs()
        .map((n, i) => `[${i}]${n}`)
        .join(', ');
      throw new ValueError(`compose: keyword argument '${missing[0]}' not found; candidate arguments: ${candidates}`);
    }
    dfsPostOrder(copy.outputs, (n) => {
      let changed = false;
      n.inputs = n.inputs.map((e) => {
        const r = e.node.isVariable ? replace.get(e.node) : undefined;
        if (!r) return e;
        changed = true;
        return r;
      });
      if (changed && !n.isVariable) updateNodeVersion(n);
    });
    return copy;
  }

  /** The attribute `key` of the (single) output node; `name` gives its name. Hidden keys fall back to `__key__`. */
  attr(key: string): string | undefined {
    const n = this.singleNode();
    if (!n) return undefined;
    if (key === 'name') return n.name;
    const v = ownValue(n.attrs, key);
    if (v !== undefined) return v;
    if (isHiddenName(key)) return ownValue(n.attrs, `__${key}__`);
    return undefined;
  }

  /** The (single) output node's attributes; hidden keys are listed in both spellings. */
  listAttr(): Record<string, string> {
    const n = this.singleNode();
    return n ? withUnhidden(n.attrs) : {};
  }

  /** Attributes of every node that has any, by node name (hidden keys in both spellings). */
  attrDict(): Record<string, Record<string, string>> {
    const out: Record<string, Record<string, string>> = {};
    dfsPostOrder(this.outputs, (n) => {
      if (Object.keys(n.attrs).length === 0) return;
      setOwn(out, n.name, { ...(ownValue(out, n.name) ?? {}), ...withUnhidden(n.attrs) });
    });
    return out;
  }

  /**
   * Sets attributes on the (single) output node, in place: nodes are shared, so every symbol built
   * on this node sees the change, as in MXNet. `name` renames the node; `lr_mult` & co. are stored
   * as `__lr_mult__`. Operator parameters are re-validated.
   */
  setAttr(attrs: Readonly<Record<string, string>>): void {
    const n = this.singleNode();
    if (!n) throw new ValueError('setAttr only works on a symbol whose outputs all come from one node');
    const next = { ...(n.attrs as Record<string, string>) };
    let name = n.name;
    for (const [k, v] of Object.entries(attrs)) {
      if (typeof v !== 'string') throw new ValueError(`setAttr: value of '${k}' must be a string`);
      const key = hiddenSetAttrKey(k, v);
      if (key === 'name') name = v;
      else setOwn(next, key, v);
    }
    if (n.op) n.op.attrs.parse(next, `${n.op.name} '${name}'`);
    n.name = name;
    n.replaceAttrs(next);
  }

  /** MXNet symbol JSON (1.x layout, byte-compatible formatting). */
  toJSON(): string {
    return symbolHook('toJSON')(this);
  }

  static fromJSON(text: string): Symbol {
    return symbolHook('fromJSON')(text);
  }

  /** Writes the JSON atomically (temporary file, then rename). */
  save(path: string): void {
    symbolHook('save')(this, path);
  }

  static load(path: string): Symbol {
    return symbolHook('load')(path);
  }

  inferShape(known: Readonly<Record<string, readonly number[]>> = {}): ShapeResult {
    return inferShape(this, known);
  }

  inferShapePartial(known: Readonly<Record<string, readonly number[]>> = {}): PartialShapeResult {
    return inferShapePartial(this, known);
  }

  inferType(known: Readonly<Record<string, DType>> = {}): TypeResult {
    return inferType(this, known);
  }

  inferTypePartial(known: Readonly<Record<string, DType>> = {}): PartialTypeResult {
    return inferTypePartial(this, known);
  }

  /** The gradient graph of this symbol's outputs with respect to the arguments `wrt` (see autodiff.ts). */
  gradient(wrt: readonly string[], opts: GradientOptions = {}): Symbol {
    return symbolHook('gradient')(this, wrt, opts);
  }

  // Operator overloads, as MXNet's Python Symbol builds them: `_Plus` & co. (same shapes;
  // broadcast_* to broadcast) between symbols, `_PlusScalar` & co. with a number. Node names follow
  // from those op names (`_plus0`, `_plusscalar0`).

  /** `this + other`. */
  add(other: Symbol | number): Symbol {
    return arith(this, other, '_Plus', '_PlusScalar');
  }

  /** `this - other`. */
  sub(other: Symbol | number): Symbol {
    return arith(this, other, '_Minus', '_MinusScalar');
  }

  /** `scalar - this`. */
  rsub(scalar: number): Symbol {
    return arith(this, scalar, '', '_RMinusScalar');
  }

  /** `this * other`. */
  mul(other: Symbol | number): Symbol {
    return arith(this, other, '_Mul', '_MulScalar');
  }

  /** `this / other`. */
  div(other: Symbol | number): Symbol {
    return arith(this, other, '_Div', '_DivScalar');
  }

  /** `scalar / this`. */
  rdiv(scalar: number): Symbol {
    return arith(this, scalar, '', '_RDivScalar');
  }

  /** `this ** other`. */
  pow(other: Symbol | number): Symbol {
    return arith(this, other, '_Power', '_PowerScalar');
  }

  /** `scalar ** this`. */
  rpow(scalar: number): Symbol {
    return arith(this, scalar, '', '_RPowerScalar');
  }

  /** `-this`: MXNet multiplies by -1. */
  neg(): Symbol {
    return this.mul(-1);
  }

  /** `reshape(this, shape)` (MXNet's fluent `sym.reshape`). */
  reshape(shape: readonly number[], opts: { reverse?: boolean } & CommonArgs = {}): Symbol {
    return applyOp('reshape', { ...opts, data: this, shape: [...shape] });
  }

  /** `transpose(this, axes)`; no axes reverses them. */
  transpose(axes?: readonly number[], opts: CommonArgs = {}): Symbol {
    return applyOp('transpose', { ...opts, data: this, axes: axes ? [...axes] : undefined });
  }

  /** `sum(this, axis, keepdims, exclude)`. */
  sum(opts: { axis?: number | number[] | null; keepdims?: boolean; exclude?: boolean } & CommonArgs = {}): Symbol {
    return applyOp('sum', { ...opts, data: this });
  }

  toString(): string {
    const n = this.name;
    return n === undefined ? `<Symbol group [${this.listOutputs().join(', ')}]>` : `<Symbol ${n}>`;
  }

  private singleNode(): Node | undefined {
    const first = this.outputs[0]?.node;
    if (!first) return undefined;
    return this.outputs.every((e) => e.node === first) ? first : undefined;
  }
}

/** A symbol whose outputs are the outputs of all `symbols`, in order. */
export function Group(symbols: readonly Symbol[]): Symbol {
  if (symbols.length === 0) throw new ValueError('Group: expected a non-empty list of symbols');
  for (const s of symbols) if (!(s instanceof Symbol)) throw new ValueError('Group: expected a list of symbols');
  return new Symbol(symbols.flatMap((s) => s.outputs));
}

// A binary op between symbols or its scalar form, by the op names MXNet's overloads use.
function arith(lhs: Symbol, other: Symbol | number, symbolOp: string, scalarOp: string): Symbol {
  if (typeof other === 'number') return applyOp(scalarOp, { data: lhs, scalar: other });
  if (!(other instanceof Symbol) || symbolOp === '') {
    throw new ValueError(`${scalarOp}: expected ${symbolOp === '' ? 'a number' : 'a Symbol or a number'}`);
  }
  return applyOp(symbolOp, { lhs, rhs: other });
}

// The node of the registered op `name`, created as its creator function of that name would.
function applyOp(name: string, args: Record<string, unknown>): Symbol {
  return symbolHook('createSymbol')(getOp(name), name, args);
}

function withUnhidden(attrs: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) {
    setOwn(out, k, v);
    const plain = unhiddenKey(k);
    if (plain !== undefined) setOwn(out, plain, v);
  }
  return out;
}
