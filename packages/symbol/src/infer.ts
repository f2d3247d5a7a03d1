// Shape and type inference over a graph: every node's bidirectional rule runs forward, then
// backward, over the DFS order, until nothing new is learned (as nnvm's InferAttr). Variables
// start from the caller's values, else from their `__shape__` / `__dtype__` attributes. A conflict
// raises ShapeError / DTypeError naming the node, the op and what it saw; in the non-partial
// forms so does anything left unknown.

import {
  BktError,
  DTypeError,
  ShapeError,
  ValueError,
  dtypeFromCode,
  type DType,
} from '@bkt/ndarray';
import { parseValue } from './attrs.js';
import { topoOrder, type Node, type NodeEntry } from './graph.js';
import type { InferContext, Shape } from './op-def.js';
import type { Symbol } from './symbol.js';

export interface ShapeResult {
  argShapes: Shape[];
  outShapes: Shape[];
  auxShapes: Shape[];
}

/** Unknown shapes are undefined; unknown dimensions are 0 (MXNet's legacy convention). */
export interface PartialShapeResult {
  argShapes: (Shape | undefined)[];
  outShapes: (Shape | undefined)[];
  auxShapes: (Shape | undefined)[];
}

export interface TypeResult {
  argTypes: DType[];
  outTypes: DType[];
  auxTypes: DType[];
}

export interface PartialTypeResult {
  argTypes: (DType | undefined)[];
  outTypes: (DType | undefined)[];
  auxTypes: (DType | undefined)[];
}

/** `(2, 3)`, `(5,)`, `?` for an unknown shape, `?` for an unknown dimension. */
export function formatShape(s: readonly number[] | undefined): string {
  if (s === undefined) return '?';
  const dims = s.map((d) => (d === 0 ? '?' : String(d)));
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
}

export function isCompleteShape(s: readonly number[] | undefined): boolean {
  return s !== undefined && s.every((d) => d > 0);
}

/**
 * Merges knowledge `b` into `a` (legacy semantics: 0 = unknown dimension). Returns the merged shape,
 * or null when the two cannot describe the same array.
 */
export function mergeShape(a: readonly number[] | undefined, b: readonly number[]): Shape | null {
  if (a === undefined) return [...b];
  if (a.length !== b.length) return null;
  const out: Shape = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== 0 && y !== 0 && x !== y) return null;
    out.push(x !== 0 ? x : y);
  }
  return out;
}

interface Lattice<V> {
  readonly what: 'shape' | 'type';
  readonly Err: typeof ShapeError | typeof DTypeError;
  merge(a: V | undefined, b: V): V | null;
  same(a: V | undefined, b: V | undefined): boolean;
  complete(v: V | undefined): boolean;
  fmt(v: V | undefined): string;
  fromVariable(n: Node): V | undefined;
  run(n: Node, ctx: InferContext<object, V>): void;
}

const shapeLattice: Lattice<Shape> = {
  what: 'shape',
  Err: ShapeError,
  merge: mergeShape,
  same: (a, b) => (a === undefined ? b === undefined : b !== undefined && a.length === b.length && a.every((d, i) => d === b[i])),
  complete: isCompleteShape,
  fmt: formatShape,
  fromVariable(n) {
    const text = n.attrs.__shape__;
    if (text === undefined) return undefined;
    const v = parseValue({ kind: 'shape' }, text);
    if (!Array.isArray(v) || !v.every((d: number) => d >= 0)) {
      throw new ShapeError(`variable '${n.name}': invalid __shape__ attribute '${text}'`);
    }
    return v as Shape;
  },
  run: (n, ctx) => n.op!.inferShape(ctx),
};

const typeLattice: Lattice<DType> = {
  what: 'type',
  Err: DTypeError,
  merge: (a, b) => (a === undefined || a === b ? b : null),
  same: (a, b) => a === b,
  complete: (v) => v !== undefined,
  fmt: (v) => v ?? '?',
  fromVariable(n) {
    const text = n.attrs.__dtype__;
    if (text === undefined) return undefined;
    const code = Number(text.trim());
    if (!Number.isInteger(code)) throw new DTypeError(`variable '${n.name}': invalid __dtype__ attribute '${text}'`);
    return dtypeFromCode(code);
  },
  run: (n, ctx) => n.op!.inferType(ctx),
};

/** The inferred value of every entry of a graph. */
export class GraphValues<V> {
  constructor(
    readonly nodes: readonly Node[],
    private readonly values: Map<Node, (V | undefined)[]>,
  ) {}

  get(node: Node, index = 0): V | undefined {
    return this.values.get(node)?.[index];
  }

  of(e: NodeEntry): V | undefined {
    return this.get(e.node, e.index);
  }
}

const contextual = new WeakSet<Error>();

function runInference<V>(
  lat: Lattice<V>,
  heads: readonly NodeEntry[],
  known: Readonly<Record<string, V>>,
): GraphValues<V> {
  const nodes = topoOrder(heads);
  const values = new Map<Node, (V | undefined)[]>();
  for (const n of nodes) values.set(n, new Array<V | undefined>(n.numOutputs()).fill(undefined));

  const vars = nodes.filter((n) => n.isVariable);
  const names = new Set(vars.map((n) => n.name));
  for (const k of Object.keys(known)) {
    if (!names.has(k)) {
      const cand = vars.map((n, i) => `[${i}]${n.name}`).join(', ');
      throw new ValueError(`infer ${lat.what}: keyword argument name '${k}' not found; candidate arguments: ${cand}`);
    }
  }
  for (const n of vars) {
    const given = known[n.name];
    values.get(n)![0] = given !== undefined ? (Array.isArray(given) ? ([...given] as V) : given) : lat.fromVariable(n);
  }

  let changed = true;
  const ops = nodes.filter((n) => !n.isVariable);
  const step = (n: Node): void => {
    if (runNode(lat, n, values)) changed = true;
  };
  while (changed) {
    changed = false;
    ops.forEach(step);
    for (let i = ops.length - 1; i >= 0; i--) step(ops[i]!);
  }
  return new GraphValues(nodes, values);
}

// Runs one node's rule; true when it learned something.
function runNode<V>(lat: Lattice<V>, n: Node, values: Map<Node, (V | undefined)[]>): boolean {
  let learned = false;
  const get = (e: NodeEntry): V | undefined => values.get(e.node)![e.index];
  const fwd = n.op!.backward ? n.controlDeps[0] : undefined;
  const inputs = n.inputs.map(get);
  const outputs = [...values.get(n)!];
  const fwdInputs = fwd ? fwd.inputs.map(get) : [];
  const fwdOutputs = fwd ? [...values.get(fwd)!] : [];
  const inputNames = safeInputNames(n);

  const describe = (): string => {
    const ins = inputs.map((v, i) => `${inputNames[i] ?? `in${i}`}=${lat.fmt(v)}`).join(', ');
    const outs = outputs.map((v, i) => `${n.outputName(i)}=${lat.fmt(v)}`).join(', ');
    return `${n.op!.name} '${n.name}': %MSG% (inputs: ${ins}; outputs: ${outs})`;
  };
  const fail = (message: string): never => {
    const err = new lat.Err(describe().replace('%MSG%', message));
    contextual.add(err);
    throw err;
  };
  const assign = (arr: (V | undefined)[], i: number, v: V, write: (v: V) => void, label: string): void => {
    if (i < 0 || i >= arr.length) fail(`rule assigned ${label} ${i}, which does not exist`);
    const merged = lat.merge(arr[i], v);
    if (merged === null) fail(`inconsistent ${lat.what} for ${label}: have ${lat.fmt(arr[i])}, inferred ${lat.fmt(v)}`);
    if (!lat.same(arr[i], merged!)) {
      arr[i] = merged!;
      write(merged!);
      learned = true;
    }
  };

  const ctx: InferContext<object, V> = {
    params: n.params(),
    op: n.op!.name,
    node: n.name,
    inputNames,
    inputs,
    outputs,
    fwdInputs,
    fwdOutputs,
    setInput: (i, v) =>
      assign(inputs, i, v, (m) => (values.get(n.inputs[i]!.node)![n.inputs[i]!.index] = m), `input '${inputNames[i] ?? i}'`),
    setOutput: (i, v) => assign(outputs, i, v, (m) => (values.get(n)![i] = m), `output '${n.outputName(i)}'`),
    setFwdInput: (i, v) =>
      assign(fwdInputs, i, v, (m) => (values.get(fwd!.inputs[i]!.node)![fwd!.inputs[i]!.index] = m), `forward input ${i}`),
    setFwdOutput: (i, v) => assign(fwdOutputs, i, v, (m) => (values.get(fwd!)![i] = m), `forward output ${i}`),
    fail,
  };
  try {
    lat.run(n, ctx);
  } catch (e) {
    if (e instanceof Error && contextual.has(e)) throw e;
    if (e instanceof BktError) fail(e.message);
    throw e;
  }
  return learned;
}

function safeInputNames(n: Node): string[] {
  const names = n.inputNames();
  return n.inputs.map((_, i) => names[i] ?? `in${i}`);
}

// Non-partial inference: the first op node (in DFS order) with an unresolved input or output names
// the problem; a lone unresolved variable names itself.
function requireComplete<V>(lat: Lattice<V>, g: GraphValues<V>): void {
  for (const n of g.nodes) {
    if (n.isVariable) continue;
    const names = safeInputNames(n);
    const ins = n.inputs.map((e) => g.of(e));
    const outs = Array.from({ length: n.numOutputs() }, (_, i) => g.get(n, i));
    const badIn = ins.findIndex((v) => !lat.complete(v));
    const badOut = outs.findIndex((v) => !lat.complete(v));
    if (badIn < 0 && badOut < 0) continue;
    const what =
      badIn >= 0
        ? `input '${names[badIn]}'${n.inputs[badIn]!.node.isVariable ? ` (variable '${n.inputs[badIn]!.node.name}')` : ''}`
        : `output '${n.outputName(badOut)}'`;
    const insText = ins.map((v, i) => `${names[i]}=${lat.fmt(v)}`).join(', ');
    const outsText = outs.map((v, i) => `${n.outputName(i)}=${lat.fmt(v)}`).join(', ');
    throw new lat.Err(
      `${n.op!.name} '${n.name}': cannot infer the ${lat.what} of ${what} (inputs: ${insText}; outputs: ${outsText})`,
    );
  }
  for (const n of g.nodes) {
    if (n.isVariable && !lat.complete(g.get(n))) {
      throw new lat.Err(`variable '${n.name}': cannot infer its ${lat.what} (${lat.fmt(g.get(n))})`);
    }
  }
}

function collect<V>(sym: Symbol, g: GraphValues<V>): { args: (V | undefined)[]; outs: (V | undefined)[]; aux: (V | undefined)[] } {
  return {
    args: sym.argumentNodes().map((n) => g.get(n)),
    outs: sym.outputs.map((e) => g.of(e)),
    aux: sym.auxiliaryNodes().map((n) => g.get(n)),
  };
}

/** Shapes of every entry of `sym`'s graph (unknowns left undefined / 0); for the executor. */
export function inferGraphShapes(sym: Symbol, known: Readonly<Record<string, readonly number[]>> = {}): GraphValues<Shape> {
  return runInference(shapeLattice, sym.outputs, known as Record<string, Shape>);
}

/** Element types of every entry of `sym`'s graph; for the executor. */
export function inferGraphTypes(sym: Symbol, known: Readonly<Record<string, DType>> = {}): GraphValues<DType> {
  return runInference(typeLattice, sym.outputs, known);
}

export function inferShapePartial(sym: Symbol, known: Readonly<Record<string, readonly number[]>> = {}): PartialShapeResult {
  const r = collect(sym, inferGraphShapes(sym, known));
  return { argShapes: r.args, outShapes: r.outs, auxShapes: r.aux };
}

export function inferShape(sym: Symbol, known: Readonly<Record<string, readonly number[]>> = {}): ShapeResult {
  const g = inferGraphShapes(sym, known);
  requireComplete(shapeLattice, g);
  const r = collect(sym, g);
  return { argShapes: r.args as Shape[], outShapes: r.outs as Shape[], auxShapes: r.aux as Shape[] };
}

export function inferTypePartial(sym: Symbol, known: Readonly<Record<string, DType>> = {}): PartialTypeResult {
  const r = collect(sym, inferGraphTypes(sym, known));
  return { argTypes: r.args, outTypes: r.outs, auxTypes: r.aux };
}

export function inferType(sym: Symbol, known: Readonly<Record<string, DType>> = {}): TypeResult {
  const g = inferGraphTypes(sym, known);
  requireComplete(typeLattice, g);
  const r = collect(sym, g);
  return { argTypes: r.args as DType[], outTypes: r.outs as DType[], auxTypes: r.aux as DType[] };
}
