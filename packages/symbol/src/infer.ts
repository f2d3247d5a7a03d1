// Shape and type inference over a graph: every node's bidirectional rule runs forward, then
// backward, over the DFS order, until nothing new is learned (as nnvm's InferAttr). Variables
// start from the caller's values, else from their `__shape__` / `__dtype__` attributes. A conflict
// raises ShapeError / DTypeError naming the node, the op and what it saw; in the non-partial
// forms so does anything left unknown.

import {
  BktError,
  DTYPE_BYTES,
  DTypeError,
  ShapeError,
  ValueError,
  dtypeFromCode,
  ownValue,
  type DType,
} from '@bkt/ndarray/core';
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

/**
 * Why `s` is no shape of an array: a dimension that is not a non-negative integer, or more elements
 * than JS numbers count exactly (2^53; sizes and offsets would be silently wrong past that).
 */
function invalidShape(s: readonly number[]): string | undefined {
  if (!Array.isArray(s)) return `${JSON.stringify(s)} is not a shape (an array of dimensions)`;
  let size = 1;
  for (const d of s) {
    if (!Number.isSafeInteger(d) || d < 0) return `shape ${formatShape(s)} has an invalid dimension ${d}`;
    if (d > 0) size *= d;
  }
  return size > Number.MAX_SAFE_INTEGER ? `shape ${formatShape(s)} has more than 2^53 elements` : undefined;
}

interface Lattice<V> {
  readonly what: 'shape' | 'type';
  readonly Err: typeof ShapeError | typeof DTypeError;
  merge(a: V | undefined, b: V): V | null;
  same(a: V | undefined, b: V | undefined): boolean;
  complete(v: V | undefined): boolean;
  fmt(v: V | undefined): string;
  /** Why `v` cannot describe an array at all (a shape JS cannot count exactly), else undefined. */
  invalid(v: V): string | undefined;
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
  invalid: invalidShape,
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
  invalid: (v) => (typeof v === 'string' && Object.hasOwn(DTYPE_BYTES, v) ? undefined : `unknown dtype ${JSON.stringify(v)}`),
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

function runInference<V>(lat: Lattice<V>, heads: readonly NodeEntry[], known: Readonly<Record<string, V>>): GraphValues<V> {
  const nodes = topoOrder(heads);
  const values = new Map<Node, (V | undefined)[]>();
  for (const n of nodes) values.set(n, new Array<V | undefined>(n.numOutputs()).fill(undefined));

  const vars = nodes.filter((n) => n.isVariable);
  const names = new Set(vars.map((n) => n.name));
  for (const k of Object.keys(known)) {
    if (!names.has(k)) {
      const cand = listed(vars.map((n, i) => `[${i}]${n.name}`));
      throw new ValueError(`infer ${lat.what}: keyword argument name '${k}' not found; candidate arguments: ${cand}`);
    }
  }
  for (const n of vars) {
    const given = ownValue(known, n.name);
    const v = given !== undefined ? (Array.isArray(given) ? ([...given] as V) : given) : lat.fromVariable(n);
    const bad = v === undefined ? undefined : lat.invalid(v);
    if (bad !== undefined) throw new lat.Err(`infer ${lat.what}: variable '${n.name}': ${bad}`);
    values.get(n)![0] = v;
  }

  // Passes alternate between DFS order and its reverse; a pass in which no rule learns anything ran
  // every rule on the final values, so it ends the fixed point (often the second pass).
  const ops = nodes.filter((n) => !n.isVariable);
  for (let pass = 0; ; pass++) {
    let learned = false;
    const forward = pass % 2 === 0;
    for (let k = 0; k < ops.length; k++) {
      if (runRule(lat, ops[forward ? k : ops.length - 1 - k]!, values)) learned = true;
    }
    if (!learned) break;
  }
  return new GraphValues(nodes, values);
}

// Runs one node's rule; true when it learned something.
function runRule<V>(lat: Lattice<V>, n: Node, values: Map<Node, (V | undefined)[]>): boolean {
  const ctx = new RuleContext(lat, n, values);
  try {
    lat.run(n, ctx);
  } catch (e) {
    if (e instanceof Error && contextual.has(e)) throw e;
    if (e instanceof BktError) ctx.fail(e.message);
    throw e;
  }
  return ctx.learned;
}

/** Lists of more entries than this are cut short in messages (a node may have 10^5 outputs). */
const MAX_LISTED = 16;

function listed(items: readonly string[]): string {
  if (items.length <= MAX_LISTED) return items.join(', ');
  return `${items.slice(0, MAX_LISTED).join(', ')}, ... (${items.length - MAX_LISTED} more)`;
}

// What one run of a node's rule sees and writes back. A class (not closures made per run): rules run
// several times per node and graphs may have 10^5 nodes.
class RuleContext<V> implements InferContext<object, V> {
  readonly params: object;
  readonly op: string;
  readonly node: string;
  readonly inputNames: readonly string[];
  readonly inputs: (V | undefined)[];
  readonly outputs: (V | undefined)[];
  readonly fwdInputs: (V | undefined)[];
  readonly fwdOutputs: (V | undefined)[];
  /** Rules pass `ctx.fail` around on its own, so it is bound. */
  readonly fail: (message: string) => never;
  learned = false;
  readonly #fwd: Node | undefined;

  constructor(
    private readonly lat: Lattice<V>,
    private readonly n: Node,
    private readonly values: Map<Node, (V | undefined)[]>,
  ) {
    this.params = n.params();
    this.op = n.op!.name;
    this.node = n.name;
    this.inputNames = safeInputNames(n);
    this.inputs = n.inputs.map((e) => this.#value(e));
    this.outputs = [...values.get(n)!];
    const fwd = n.op!.backward ? n.controlDeps[0] : undefined;
    this.#fwd = fwd;
    this.fwdInputs = fwd ? fwd.inputs.map((e) => this.#value(e)) : [];
    this.fwdOutputs = fwd ? [...values.get(fwd)!] : [];
    this.fail = this.#fail.bind(this);
  }

  setInput(i: number, v: V): void {
    if (this.#merge(this.inputs, i, v, 'input')) this.#store(this.n.inputs[i]!, this.inputs[i]!);
  }

  setOutput(i: number, v: V): void {
    if (this.#merge(this.outputs, i, v, 'output')) this.values.get(this.n)![i] = this.outputs[i]!;
  }

  setFwdInput(i: number, v: V): void {
    if (this.#merge(this.fwdInputs, i, v, 'forward input')) this.#store(this.#fwd!.inputs[i]!, this.fwdInputs[i]!);
  }

  setFwdOutput(i: number, v: V): void {
    if (this.#merge(this.fwdOutputs, i, v, 'forward output')) this.values.get(this.#fwd!)![i] = this.fwdOutputs[i]!;
  }

  #value(e: NodeEntry): V | undefined {
    return this.values.get(e.node)![e.index];
  }

  #store(e: NodeEntry, v: V): void {
    this.values.get(e.node)![e.index] = v;
  }

  // Merges v into arr[i]; true when that taught something new.
  #merge(arr: (V | undefined)[], i: number, v: V, kind: 'input' | 'output' | 'forward input' | 'forward output'): boolean {
    if (!Number.isInteger(i) || i < 0 || i >= arr.length) this.#fail(`rule assigned ${kind} ${i}, which does not exist`);
    const merged = this.lat.merge(arr[i], v);
    if (merged === null) {
      this.#fail(
        `inconsistent ${this.lat.what} for ${this.#label(kind, i)}: have ${this.lat.fmt(arr[i])}, inferred ${this.lat.fmt(v)}`,
      );
    }
    if (this.lat.same(arr[i], merged)) return false;
    const bad = this.lat.invalid(merged);
    if (bad !== undefined) this.#fail(`${this.#label(kind, i)}: ${bad}`);
    arr[i] = merged;
    this.learned = true;
    return true;
  }

  #label(kind: 'input' | 'output' | 'forward input' | 'forward output', i: number): string {
    if (kind === 'input') return `input '${this.inputNames[i] ?? i}'`;
    if (kind === 'output') return `output '${this.n.outputName(i)}'`;
    return `${kind} ${i}`;
  }

  #fail(message: string): never {
    const fmt = (v: V | undefined): string => this.lat.fmt(v);
    const ins = listed(this.inputs.map((v, i) => `${this.inputNames[i]}=${fmt(v)}`));
    const outs = listed(this.outputs.map((v, i) => `${this.n.outputName(i)}=${fmt(v)}`));
    const err = new this.lat.Err(`${this.op} '${this.node}': ${message} (inputs: ${ins}; outputs: ${outs})`);
    contextual.add(err);
    throw err;
  }
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
    const insText = listed(ins.map((v, i) => `${names[i]}=${lat.fmt(v)}`));
    const outsText = listed(outs.map((v, i) => `${n.outputName(i)}=${lat.fmt(v)}`));
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

function collect<V>(
  sym: Symbol,
  g: GraphValues<V>,
): { args: (V | undefined)[]; outs: (V | undefined)[]; aux: (V | undefined)[] } {
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
