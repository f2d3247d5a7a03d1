// Symbolic reverse-mode differentiation (MXNet's Gradient pass). Walking the forward graph in
// reverse DFS order, each op's gradient rule turns the gradients of its outputs into gradients of
// its inputs, as new nodes in the same graph; gradients reaching one entry along several paths
// are summed by an `add_n` (ElementWiseSum) node.
//
// Conventions (the executor relies on them):
// - Head gradients: every head output that needs one enters the graph as a variable named
//   `<output name>_head_grad` (e.g. `fc2_output_head_grad`), with the head's shape and type.
//   Loss layers (ops whose `selfSeeding` is true: SoftmaxOutput, MakeLoss) get none: their
//   gradient rule ignores the output gradient.
// - Only nodes from which a requested argument is reachable are differentiated.
// - An argument that no gradient reaches (e.g. only through BlockGrad) gets `zeros_like(arg)`.
// - Node names: `<node>_backward` for gradient nodes, `<entry>_sum_grad` for sums, `<entry>_zero_grad`
//   for zero gradients, `<entry>_<k>_copy` when one entry would be the gradient of two arguments.

import { ValueError } from '@bkt/ndarray/core';
import { entry, Node, topoOrder, type NodeEntry } from './graph.js';
import type { GradientContext } from './op-def.js';
import './ops/index.js';
import { getOp } from './registry.js';
import { Symbol } from './symbol.js';
import { installSymbolHooks } from './symbol-hooks.js';

export type GradReq = 'write' | 'add' | 'null';

export interface GradientOptions {
  /** Per argument, or one value for all; default 'write'. Arguments with 'null' get no gradient. */
  gradReq?: GradReq | Readonly<Record<string, GradReq>>;
}

export interface GradientGraph {
  /** Outputs: the gradient of each argument of `args`, in that order. */
  symbol: Symbol;
  /** The requested arguments that get a gradient (gradReq not 'null'), in request order. */
  args: string[];
  /** The head-gradient variables created, with the index of the head output each belongs to. */
  headGrads: { name: string; output: number }[];
}

const GRAD_REQS: readonly string[] = ['write', 'add', 'null'];

/** The gradient graph of `heads` with respect to the arguments `wrt` (see GradientGraph). */
export function buildGradient(heads: Symbol, wrt: readonly string[], opts: GradientOptions = {}): GradientGraph {
  const reqOf = (name: string): GradReq => {
    const r =
      typeof opts.gradReq === 'string' || opts.gradReq === undefined
        ? (opts.gradReq ?? 'write')
        : (opts.gradReq[name] ?? 'write');
    if (!GRAD_REQS.includes(r)) throw new ValueError(`gradient: invalid gradReq '${r}' for '${name}'`);
    return r;
  };

  const argNodes = new Map<string, Node[]>();
  for (const n of heads.argumentNodes()) {
    const same = argNodes.get(n.name);
    if (same) same.push(n);
    else argNodes.set(n.name, [n]);
  }
  const seen = new Set<string>();
  const xs: Node[] = [];
  const args: string[] = [];
  for (const name of wrt) {
    if (seen.has(name)) throw new ValueError(`gradient: argument '${name}' requested twice`);
    seen.add(name);
    const matches = argNodes.get(name) ?? [];
    if (matches.length === 0) {
      throw new ValueError(
        `gradient: '${name}' is not an argument of the symbol; arguments: ${heads.listArguments().join(', ')}`,
      );
    }
    if (matches.length > 1) throw new ValueError(`gradient: several variables are named '${name}'`);
    if (reqOf(name) === 'null') continue;
    xs.push(matches[0]!);
    args.push(name);
  }

  const order = topoOrder(heads.outputs);
  // needs: nodes from which a requested argument can be reached through inputs.
  const targets = new Set(xs);
  const needs = new Set<Node>();
  for (const n of order) {
    if (targets.has(n) || n.inputs.some((e) => needs.has(e.node))) needs.add(n);
  }

  const grads = new Map<Node, NodeEntry[][]>();
  const push = (e: NodeEntry, g: NodeEntry): void => {
    let slots = grads.get(e.node);
    if (!slots) {
      slots = Array.from({ length: e.node.numOutputs() }, () => []);
      grads.set(e.node, slots);
    }
    slots[e.index]!.push(g);
  };

  const headGrads: GradientGraph['headGrads'] = [];
  const outNames = heads.listOutputs();
  heads.outputs.forEach((e, i) => {
    if (!needs.has(e.node)) return;
    const op = e.node.op;
    if (op?.selfSeeding?.(e.node.params())) return;
    const name = `${outNames[i]}_head_grad`;
    push(e, entry(Node.variable(name)));
    headGrads.push({ name, output: i });
  });

  for (let k = order.length - 1; k >= 0; k--) {
    const n = order[k]!;
    if (n.isVariable || !needs.has(n)) continue;
    const op = n.op!;
    const params = n.params();
    const slots = grads.get(n);
    const ograds = Array.from({ length: n.numOutputs() }, (_, i) => sum(slots?.[i] ?? [], n.outputName(i)));
    if (ograds.every((g) => g === null) && !op.selfSeeding?.(params)) continue;
    if (!op.gradient) throw new ValueError(`gradient: operator ${op.name} ('${n.name}') is not differentiable`);
    const result = op.gradient(makeContext(n, params, ograds));
    if (result.length !== n.inputs.length) {
      throw new ValueError(`gradient: ${n.describe()} returned ${result.length} gradients for ${n.inputs.length} inputs`);
    }
    result.forEach((g, i) => {
      const input = n.inputs[i]!;
      if (g && needs.has(input.node)) push(input, g);
    });
  }

  const outs: NodeEntry[] = [];
  const used = new Map<Node, Map<number, number>>();
  for (const x of xs) {
    let g = sum(grads.get(x)?.[0] ?? [], x.name);
    if (!g) {
      const z = new Node(getOp('zeros_like'), `${x.name}_zero_grad`);
      z.inputs = [entry(x, 0, x.version)];
      g = entry(z);
    }
    // One entry may not be the gradient of two arguments: the second gets a copy.
    const uses = used.get(g.node) ?? new Map<number, number>();
    used.set(g.node, uses);
    const k = uses.get(g.index) ?? 0;
    uses.set(g.index, k + 1);
    if (k > 0) {
      const c = new Node(getOp('_copy'), `${g.node.outputName(g.index)}_${k}_copy`);
      c.inputs = [g];
      g = entry(c);
    }
    outs.push(g);
  }
  return { symbol: new Symbol(outs), args, headGrads };
}

/** The gradient of `heads` with respect to the arguments `wrt`, as a Symbol (see buildGradient). */
export function gradient(heads: Symbol, wrt: readonly string[], opts: GradientOptions = {}): Symbol {
  return buildGradient(heads, wrt, opts).symbol;
}

installSymbolHooks({ gradient });

// The sum of the gradients reaching one entry: null when none, the gradient itself when one,
// else an add_n node.
function sum(gs: readonly NodeEntry[], entryName: string): NodeEntry | null {
  if (gs.length === 0) return null;
  if (gs.length === 1) return gs[0]!;
  const n = new Node(getOp('add_n'), `${entryName}_sum_grad`, { num_args: String(gs.length) });
  n.inputs = [...gs];
  return entry(n);
}

function makeContext(n: Node, params: object, ograds: (NodeEntry | null)[]): GradientContext<object> {
  const zeros = new Map<number, NodeEntry>();
  return {
    node: n,
    params,
    ograds,
    ograd(i = 0) {
      const g = ograds[i];
      if (g) return g;
      let z = zeros.get(i);
      if (!z) {
        const zn = new Node(getOp('zeros_like'), `${n.outputName(i)}_zero_grad`);
        zn.inputs = [entry(n, i)];
        z = entry(zn);
        zeros.set(i, z);
      }
      return z;
    },
    input: (i) => {
      const e = n.inputs[i];
      if (!e) throw new ValueError(`gradient: ${n.describe()} has no input ${i}`);
      return e;
    },
    output: (i) => {
      if (i < 0 || i >= n.numOutputs()) throw new ValueError(`gradient: ${n.describe()} has no output ${i}`);
      return entry(n, i);
    },
    makeNode(opName, inputs, o = {}) {
      const op = getOp(opName);
      const g = new Node(op, o.name ?? `${n.name}_backward`, o.attrs ?? (n.attrs as Record<string, string>));
      g.inputs = [...inputs];
      if (o.controlDep !== false) g.controlDeps = [n];
      const expected = g.inputNames().length;
      if (expected !== inputs.length) {
        throw new ValueError(`gradient: ${g.describe()} takes ${expected} inputs, got ${inputs.length}`);
      }
      return g;
    },
    entry: (node, index = 0) => {
      if (index < 0 || index >= node.numOutputs()) throw new ValueError(`gradient: ${node.describe()} has no output ${index}`);
      return entry(node, index);
    },
  };
}
