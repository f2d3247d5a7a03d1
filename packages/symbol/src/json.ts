// MXNet symbol JSON: writing in the 1.x layout with dmlc-core's exact text formatting, reading
// any layout from 0.8 on (old `param`/`attr` keys, two-element entries, missing node_row_ptr and
// graph attributes) and upgrading old graphs as MXNet does (`symbol.py`'s `tojson`, `legacy_json_util.cc`).

import { FormatError, readFileChecked, setOwn, ValueError, writeFileAtomic } from '@bkt/ndarray/core';
import { entry, Node, topoOrder, type NodeEntry } from './graph.js';
import {
  addMissingInputs,
  dropArgmaxAxis,
  fixHiddenKeys,
  LEGACY_VERSION,
  MXNET_VERSION,
  setInputVarAttrs,
} from './json-upgrade.js';
import { DmlcJsonWriter } from './json-writer.js';
import './ops/index.js';
import { findOp } from './registry.js';
import { Symbol } from './symbol.js';
import { installSymbolHooks } from './symbol-hooks.js';

export { MXNET_VERSION };

function writeEntries(w: DmlcJsonWriter, entries: readonly (readonly [number, number, number])[]): void {
  w.beginArray(entries.length > 10);
  for (const [a, b, c] of entries) {
    w.item();
    w.beginArray(false);
    for (const v of [a, b, c]) {
      w.item();
      w.number(v);
    }
    w.endArray();
  }
  w.endArray();
}

/** The symbol as MXNet 1.x writes it (`sym.tojson()`), byte for byte. */
export function symbolToJSON(sym: Symbol): string {
  const nodes = topoOrder(sym.outputs);
  const id = new Map<Node, number>(nodes.map((n, i) => [n, i]));
  const toEntry = (e: NodeEntry): [number, number, number] => [id.get(e.node)!, e.index, e.version];

  const w = new DmlcJsonWriter();
  w.beginObject(true);
  w.key('nodes');
  w.beginArray(true);
  for (const n of nodes) {
    w.item();
    w.beginObject(true);
    w.key('op');
    w.string(n.op ? n.op.name : 'null');
    w.key('name');
    w.string(n.name);
    if (Object.keys(n.attrs).length > 0) {
      w.key('attrs');
      w.stringMap(n.attrs);
    }
    w.key('inputs');
    writeEntries(w, n.inputs.map(toEntry));
    if (n.controlDeps.length > 0) {
      w.key('control_deps');
      w.numberArray(n.controlDeps.map((d) => id.get(d)!));
    }
    w.endObject();
  }
  w.endArray();
  w.key('arg_nodes');
  w.numberArray(nodes.flatMap((n, i) => (n.isVariable ? [i] : [])));
  w.key('node_row_ptr');
  const rowPtr = [0];
  for (const n of nodes) rowPtr.push(rowPtr[rowPtr.length - 1]! + n.numOutputs());
  w.numberArray(rowPtr);
  w.key('heads');
  writeEntries(w, sym.outputs.map(toEntry));
  w.key('attrs');
  w.beginObject(false);
  w.key('mxnet_version');
  w.beginArray(false);
  w.item();
  w.string('int');
  w.item();
  w.number(MXNET_VERSION);
  w.endArray();
  w.endObject();
  w.endObject();
  return w.text();
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function bad(message: string): never {
  throw new FormatError(`symbol JSON: ${message}`);
}

/**
 * A value as messages show it: short, and never by recursing into it (JSON.stringify of a deeply
 * nested array overflows the stack; a hostile file may hold one where a number belongs).
 */
function preview(v: unknown): string {
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (isObject(v)) return 'an object';
  return typeof v === 'string' ? JSON.stringify(v.length > 64 ? `${v.slice(0, 64)}...` : v) : String(v);
}

function readIndex(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) bad(`${what} must be a non-negative integer, got ${preview(v)}`);
  return v;
}

function readEntry(v: unknown, what: string, numNodes: number): [number, number, number] {
  if (!Array.isArray(v) || v.length < 2 || v.length > 3) bad(`${what} must be [node, index] or [node, index, version]`);
  const node = readIndex(v[0], `${what} node id`);
  if (node >= numNodes) bad(`${what} refers to node ${node}, but there are only ${numNodes} nodes`);
  return [node, readIndex(v[1], `${what} output index`), v.length === 3 ? readIndex(v[2], `${what} version`) : 0];
}

function readDict(v: unknown, what: string): Record<string, string> {
  if (v === undefined) return {};
  if (!isObject(v)) bad(`${what} must be an object of strings`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'string') setOwn(out, k, x);
    else if (typeof x === 'number' || typeof x === 'boolean') setOwn(out, k, String(x));
    else bad(`${what}.${k} must be a string`);
  }
  return out;
}

function readVersion(attrs: unknown): number {
  if (attrs === undefined) return LEGACY_VERSION;
  if (!isObject(attrs)) bad('"attrs" must be an object');
  const v = attrs.mxnet_version;
  if (v === undefined) return LEGACY_VERSION;
  if (!Array.isArray(v) || v.length !== 2 || typeof v[1] !== 'number' || !Number.isInteger(v[1])) {
    bad(`"mxnet_version" must be ["int", <version>], got ${preview(v)}`);
  }
  return v[1];
}

/** A symbol from MXNet symbol JSON of any version (upgraded as MXNet's loader does). */
export function symbolFromJSON(text: string): Symbol {
  if (typeof text !== 'string') throw new ValueError(`Symbol.fromJSON: expected the JSON text as a string, got ${preview(text)}`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    bad(`not valid JSON: ${(e as Error).message}`);
  }
  if (!isObject(doc)) bad('the top level must be an object');
  for (const k of ['nodes', 'arg_nodes', 'heads']) {
    if (!Array.isArray(doc[k])) bad(`missing or invalid "${k}" (an array is required)`);
  }
  const jnodes = doc.nodes as unknown[];
  const version = readVersion(doc.attrs);

  // Nodes first, links second: entries may refer to any node.
  const nodes: Node[] = jnodes.map((jn, i) => {
    if (!isObject(jn)) bad(`node ${i} must be an object`);
    if (typeof jn.op !== 'string') bad(`node ${i}: missing or invalid "op"`);
    if (typeof jn.name !== 'string') bad(`node ${i}: missing or invalid "name"`);
    if (!Array.isArray(jn.inputs)) bad(`node ${i} ('${jn.name}'): missing or invalid "inputs"`);
    const where = `node ${i} ('${jn.name}')`;
    const dict = { ...readDict(jn.attr, `${where} attr`), ...readDict(jn.attrs, `${where} attrs`) };
    for (const [k, v] of Object.entries(readDict(jn.param, `${where} param`))) if (!Object.hasOwn(dict, k)) setOwn(dict, k, v);
    if (jn.op === 'null') return Node.variable(jn.name, dict);
    const op = findOp(jn.op);
    if (!op) bad(`${where}: unknown operator '${jn.op}'`);
    return new Node(op, jn.name, dict);
  });
  jnodes.forEach((raw, i) => {
    const jn = raw as Record<string, unknown>;
    const n = nodes[i]!;
    n.inputs = (jn.inputs as unknown[]).map((e, k) => {
      const [src, index, ver] = readEntry(e, `node ${i} ('${n.name}') input ${k}`, nodes.length);
      return entry(nodes[src]!, index, ver);
    });
    if (jn.control_deps !== undefined) {
      if (!Array.isArray(jn.control_deps)) bad(`node ${i} ('${n.name}'): "control_deps" must be an array`);
      n.controlDeps = jn.control_deps.map((d) => {
        const j = readIndex(d, `node ${i} control dependency`);
        if (j >= nodes.length)
          bad(`node ${i} ('${n.name}') control dependency refers to node ${j}, but there are only ${nodes.length} nodes`);
        return nodes[j]!;
      });
    }
  });
  for (const a of doc.arg_nodes as unknown[]) {
    const j = readIndex(a, 'arg_nodes item');
    if (j >= nodes.length || !nodes[j]!.isVariable) bad(`arg_nodes lists node ${j}, which is not a variable`);
  }
  const heads = (doc.heads as unknown[]).map((e, k) => {
    const [src, index, ver] = readEntry(e, `head ${k}`, nodes.length);
    return entry(nodes[src]!, index, ver);
  });
  if (heads.length === 0) bad('"heads" is empty');
  checkAcyclic(heads);

  const upgrade = (fn: (h: readonly NodeEntry[]) => void, what: string): void => {
    try {
      fn(heads);
    } catch (e) {
      if (e instanceof ValueError) bad(`${what}: ${e.message}`);
      throw e;
    }
  };
  if (version < MXNET_VERSION) upgrade(fixHiddenKeys, 'upgrading hidden attributes');
  upgrade(validateParams, 'invalid operator parameters');
  if (version < 900) upgrade(addMissingInputs, 'adding auxiliary states (< 0.9.0)');
  if (version < 904) upgrade(setInputVarAttrs, 'setting input attributes (< 0.9.4)');
  if (version < 905) upgrade(dropArgmaxAxis, 'dropping argmax axis -1 (< 0.9.5)');
  upgrade(validateStructure, 'inconsistent graph');

  // Variables continue counting versions from the highest one the file uses.
  for (const n of topoOrder(heads)) {
    for (const e of n.inputs) if (e.node.isVariable && e.version > e.node.version) e.node.version = e.version;
  }
  return new Symbol(heads);
}

function checkAcyclic(heads: readonly NodeEntry[]): void {
  const state = new Map<Node, 1 | 2>(); // 1: on the current path, 2: done
  const stack: { node: Node; next: number }[] = [];
  for (const h of heads) {
    if (state.has(h.node)) continue;
    state.set(h.node, 1);
    stack.push({ node: h.node, next: 0 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const { inputs, controlDeps } = top.node;
      if (top.next === inputs.length + controlDeps.length) {
        state.set(top.node, 2);
        stack.pop();
        continue;
      }
      const i = top.next++;
      const child = i < inputs.length ? inputs[i]!.node : controlDeps[i - inputs.length]!;
      const s = state.get(child);
      if (s === 1) bad(`the graph has a cycle through node '${child.name}'`);
      if (s === undefined) {
        state.set(child, 1);
        stack.push({ node: child, next: 0 });
      }
    }
  }
}

function validateParams(heads: readonly NodeEntry[]): void {
  for (const n of topoOrder(heads)) if (n.op) n.params();
}

function validateStructure(heads: readonly NodeEntry[]): void {
  for (const n of topoOrder(heads)) {
    if (n.isVariable) {
      if (n.inputs.length > 0) throw new ValueError(`variable '${n.name}' has inputs`);
      continue;
    }
    const names = n.inputNames();
    if (n.inputs.length !== names.length) {
      throw new ValueError(`${n.describe()} has ${n.inputs.length} inputs, expected ${names.length} (${names.join(', ')})`);
    }
    n.inputs.forEach((e, i) => {
      if (e.index >= e.node.numOutputs()) {
        throw new ValueError(
          `${n.describe()} input '${names[i]}' uses output ${e.index} of ${e.node.describe()}, which has ${e.node.numOutputs()}`,
        );
      }
    });
    if (n.op!.backward && !n.controlDeps[0]?.op)
      throw new ValueError(`${n.describe()} needs its forward node as control dependency`);
  }
  for (const h of heads) {
    if (h.index >= h.node.numOutputs()) throw new ValueError(`a head uses output ${h.index} of ${h.node.describe()}`);
  }
}

/** Writes `sym` as JSON to `path` atomically: a temporary file in the same directory, then a rename. */
export function saveSymbol(sym: Symbol, path: string): void {
  writeFileAtomic('saveSymbol', path, symbolToJSON(sym));
}

/** The largest symbol file `loadSymbol` reads (a 10^5-node graph takes about 15 MB). */
export const MAX_SYMBOL_FILE_BYTES = 256 * 2 ** 20;

/**
 * Reads a symbol file with `nd.load`'s checks: a regular file of at most MAX_SYMBOL_FILE_BYTES,
 * valid UTF-8 and valid symbol JSON. Errors name the function and the path.
 */
export function loadSymbol(path: string): Symbol {
  const bytes = readFileChecked('Symbol.load', path, MAX_SYMBOL_FILE_BYTES);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new FormatError(`Symbol.load '${path}': the file is not valid UTF-8 text`);
  }
  try {
    return symbolFromJSON(text);
  } catch (e) {
    if (e instanceof FormatError) throw new FormatError(`Symbol.load '${path}': ${e.message}`);
    throw e;
  }
}

installSymbolHooks({ toJSON: symbolToJSON, fromJSON: symbolFromJSON, save: saveSymbol, load: loadSymbol });
