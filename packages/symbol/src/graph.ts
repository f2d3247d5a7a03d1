// Graph nodes and entries, as nnvm has them: a node is a variable (no op) or an operator
// application; an entry is one output of a node. Traversal order is nnvm's post-order DFS
// (inputs in order, then control dependencies, each node once), which fixes the order of
// list_arguments(), of JSON nodes and of everything else that lists nodes.

import { setOwn, ValueError } from '@bkt/ndarray/core';
import type { AnyOpDef } from './op-def.js';

export interface NodeEntry {
  readonly node: Node;
  readonly index: number;
  /** nnvm's variable version: bumped each time an op mutates the variable (aux states). */
  readonly version: number;
}

export class Node {
  /** Operator, or null for a variable. */
  readonly op: AnyOpDef | null;
  name: string;
  inputs: NodeEntry[] = [];
  controlDeps: Node[] = [];
  /** For variables: the latest version handed out to a mutating op (nnvm's VariableParam). */
  version = 0;
  private dict: Record<string, string>;
  private parsed: object | undefined;
  /** Output name suffixes, computed once per attribute state (lists are long for SliceChannel). */
  private suffixes: readonly string[] | undefined;

  constructor(op: AnyOpDef | null, name: string, attrs: Record<string, string> = {}) {
    this.op = op;
    this.name = name;
    this.dict = { ...attrs };
  }

  static variable(name: string, attrs: Record<string, string> = {}): Node {
    return new Node(null, name, attrs);
  }

  get isVariable(): boolean {
    return this.op === null;
  }

  /** The MXNet attribute dict (parameters and hidden `__x__` keys), all strings. */
  get attrs(): Readonly<Record<string, string>> {
    return this.dict;
  }

  setAttr(key: string, value: string): void {
    setOwn(this.dict, key, value);
    this.forgetParsed();
  }

  deleteAttr(key: string): void {
    delete this.dict[key];
    this.forgetParsed();
  }

  replaceAttrs(attrs: Record<string, string>): void {
    this.dict = { ...attrs };
    this.forgetParsed();
  }

  private forgetParsed(): void {
    this.parsed = undefined;
    this.suffixes = undefined;
  }

  /** `FullyConnected 'fc1'` or `variable 'data'`, for messages. */
  describe(): string {
    return this.op ? `${this.op.name} '${this.name}'` : `variable '${this.name}'`;
  }

  /** The typed parameters of an op node (parsed once, re-parsed after attribute changes). */
  params<P extends object = Record<string, unknown>>(): P {
    if (!this.op) throw new ValueError(`${this.describe()} has no parameters`);
    if (this.parsed === undefined) this.parsed = this.op.attrs.parse(this.dict, this.describe());
    return this.parsed as P;
  }

  /** Argument names of an op node (MXNet's ListArguments). */
  argNames(): string[] {
    return this.op ? this.op.inputNames(this.params()) : [];
  }

  /** Auxiliary-state names of an op node. */
  auxNames(): string[] {
    return this.op?.auxNames ? this.op.auxNames(this.params()) : [];
  }

  /** All input names: arguments then auxiliary states (MXNet's FListInputNames). */
  inputNames(): string[] {
    return [...this.argNames(), ...this.auxNames()];
  }

  /** Input positions the op mutates (the auxiliary states; MXNet's FMutateInputs). */
  mutableInputs(): number[] {
    const nargs = this.argNames().length;
    return this.auxNames().map((_, i) => nargs + i);
  }

  numOutputs(): number {
    if (!this.op) return 1;
    return this.op.numOutputs ? this.op.numOutputs(this.params()) : 1;
  }

  numVisibleOutputs(): number {
    if (!this.op) return 1;
    return this.op.numVisibleOutputs ? this.op.numVisibleOutputs(this.params()) : this.numOutputs();
  }

  /** The name MXNet's list_outputs() gives output `index` of this node. */
  outputName(index: number): string {
    if (!this.op) return this.name;
    if (this.suffixes === undefined) {
      if (this.op.outputNames) this.suffixes = this.op.outputNames(this.params());
      else this.suffixes = this.numOutputs() === 1 ? ['output'] : [];
    }
    const suffix = this.suffixes[index] ?? `output${index}`;
    return this.name.length === 0 ? suffix : `${this.name}_${suffix}`;
  }
}

export function entry(node: Node, index = 0, version = 0): NodeEntry {
  return { node, index, version };
}

/**
 * nnvm's DFSVisit: post-order from the heads, inputs in order then control deps, each node once.
 * Iterative, so deep unrolled graphs do not overflow the stack.
 */
export function dfsPostOrder(heads: readonly (NodeEntry | Node)[], visit: (n: Node) => void): void {
  const visited = new Set<Node>();
  // The path from the root and, per node on it, the next dependency to look at (two flat arrays, not
  // one object per step: graphs may have 10^5 nodes and are walked many times).
  const path: Node[] = [];
  const next: number[] = [];
  for (const h of heads) {
    const root = h instanceof Node ? h : h.node;
    if (visited.has(root)) continue;
    visited.add(root);
    path.push(root);
    next.push(0);
    while (path.length > 0) {
      const top = path.length - 1;
      const n = path[top]!;
      const i = next[top]!;
      if (i === n.inputs.length + n.controlDeps.length) {
        visit(n);
        path.pop();
        next.pop();
        continue;
      }
      next[top] = i + 1;
      const child = i < n.inputs.length ? n.inputs[i]!.node : n.controlDeps[i - n.inputs.length]!;
      if (!visited.has(child)) {
        visited.add(child);
        path.push(child);
        next.push(0);
      }
    }
  }
}

/** All nodes reachable from the heads, in post-order. */
export function topoOrder(heads: readonly (NodeEntry | Node)[]): Node[] {
  const out: Node[] = [];
  dfsPostOrder(heads, (n) => out.push(n));
  return out;
}

/**
 * nnvm's Symbol::Copy: a fresh copy of every node reachable from `heads` (attributes and variable
 * versions included) and the heads mapped onto the copy.
 */
export function copyGraph(heads: readonly NodeEntry[]): { heads: NodeEntry[]; map: Map<Node, Node> } {
  const map = new Map<Node, Node>();
  const order = topoOrder(heads);
  for (const n of order) {
    const c = new Node(n.op, n.name, n.attrs as Record<string, string>);
    c.version = n.version;
    map.set(n, c);
  }
  for (const n of order) {
    const c = map.get(n)!;
    c.inputs = n.inputs.map((e) => entry(map.get(e.node)!, e.index, e.version));
    c.controlDeps = n.controlDeps.map((d) => map.get(d)!);
  }
  return { heads: heads.map((e) => entry(map.get(e.node)!, e.index, e.version)), map };
}

/**
 * nnvm's UpdateNodeVersion: input entries on variables take the variable's current version; the
 * op's mutable inputs (auxiliary states) bump it.
 */
export function updateNodeVersion(n: Node): void {
  n.inputs = n.inputs.map((e) => (e.node.isVariable ? entry(e.node, e.index, e.node.version) : e));
  for (const i of n.mutableInputs()) {
    const e = n.inputs[i];
    if (!e) continue;
    if (!e.node.isVariable) {
      throw new ValueError(`${n.describe()}: auxiliary state '${n.inputNames()[i]}' must be a variable`);
    }
    e.node.version += 1;
    n.inputs[i] = entry(e.node, e.index, e.node.version);
  }
}
