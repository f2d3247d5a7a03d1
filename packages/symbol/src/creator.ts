// Operator creators: the TS counterpart of the functions MXNet generates for every operator
// (`mx.sym.FullyConnected(data=..., num_hidden=..., name=...)`). A creator formats the parameters
// as MXNet strings, applies the attribute scope, names the node through the NameManager, creates
// the missing inputs as variables `<name>_<input>` carrying a copy of the node's attributes, and
// returns the node's visible outputs.

import { setOwn, ValueError } from '@bkt/ndarray/core';
import { AttrScope } from './attr-scope.js';
import { entry, Node, updateNodeVersion, type NodeEntry } from './graph.js';
import { hiddenOpKey } from './hidden-keys.js';
import { NameManager } from './name.js';
import type { OpDef } from './op-def.js';
import { Symbol } from './symbol.js';
import { installSymbolHooks } from './symbol-hooks.js';

export interface CommonArgs {
  /** Node name; generated (`<lowercased creator name><n>`) when absent. */
  name?: string;
  /** Extra attributes (hidden keys such as `ctx_group`, or `__custom__` ones). */
  attr?: Record<string, string>;
}

/** Arguments of a creator for an op with named inputs `I` and parameters `P`. */
export type OpArgs<P, I extends string> = { [K in I]?: Symbol } & Partial<P> & CommonArgs;

/** Arguments of a creator for an op taking a list of inputs under key `K`. */
export type VarOpArgs<P, K extends string> = { [Q in K]: Symbol[] } & Partial<P> & CommonArgs;

export type Creator<A> = (args: A) => Symbol;

/** The creator for `op` under the function name `funcName` (its lowercase is the naming hint). */
export function makeCreator<P extends object, I extends string>(op: OpDef<P>, funcName: string): Creator<OpArgs<P, I>> {
  return (args) => createSymbol(op, funcName, args as Record<string, unknown>);
}

export function makeVarCreator<P extends object, K extends string>(op: OpDef<P>, funcName: string): Creator<VarOpArgs<P, K>> {
  return (args) => createSymbol(op, funcName, args as Record<string, unknown>);
}

function singleOutput(s: Symbol, what: string, where: string): NodeEntry {
  if (s.outputs.length !== 1) {
    throw new ValueError(`${where}: ${what} has ${s.outputs.length} outputs; a single output is required`);
  }
  return s.outputs[0]!;
}

/** Creates the node for `op` from creator-style arguments (see makeCreator). */
export function createSymbol<P extends object>(op: OpDef<P>, funcName: string, args: Record<string, unknown>): Symbol {
  const where = funcName;
  const symbols = new Map<string, Symbol>();
  let list: Symbol[] | undefined;
  const params: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) {
    if (k === 'name' || k === 'attr' || v === undefined) continue;
    if (op.variadic && k === op.variadic.key) {
      if (!Array.isArray(v) || !v.every((s) => s instanceof Symbol)) {
        throw new ValueError(`${where}: '${k}' must be a list of symbols`);
      }
      list = v as Symbol[];
    } else if (v instanceof Symbol) {
      symbols.set(k, v);
    } else {
      params[k] = v;
    }
  }
  const attr = args.attr as Record<string, string> | undefined;

  // Parameters as MXNet strings, then the attribute scope; hidden keys take their `__x__` spelling.
  const dict: Record<string, string> = {};
  for (const [k, v] of Object.entries(op.attrs.format(params as Partial<P>, where))) setOwn(dict, hiddenOpKey(k, v), v);
  for (const [k, v] of Object.entries(AttrScope.current.get(attr))) {
    if (typeof v !== 'string') throw new ValueError(`${where}: attribute '${k}' must be a string`);
    setOwn(dict, hiddenOpKey(k, v), v);
  }
  if (op.variadic && list && dict[op.variadic.countAttr] === undefined) {
    dict[op.variadic.countAttr] = String(list.length);
  }

  const name = NameManager.current.get(args.name as string | undefined, funcName.toLowerCase());
  const node = new Node(op, name, dict);
  const parsed = node.params<P>(); // validates: unknown, missing or malformed parameters raise here
  const names = node.inputNames();

  if (list !== undefined) {
    if (symbols.size > 0) throw new ValueError(`${where}: inputs must be given as the list '${op.variadic!.key}' only`);
    if (list.length > names.length) {
      throw new ValueError(`${where}: ${list.length} inputs given but ${op.variadic!.countAttr} is ${names.length}`);
    }
    node.inputs = names.map((n, i) => (i < list!.length ? singleOutput(list![i]!, `input ${i}`, where) : autoVariable(node, n)));
  } else {
    for (const k of symbols.keys()) {
      if (!names.includes(k)) {
        throw new ValueError(`${where}: keyword argument '${k}' not found; candidate arguments: ${names.join(', ')}`);
      }
    }
    node.inputs = names.map((n) => {
      const s = symbols.get(n);
      return s ? singleOutput(s, `input '${n}'`, where) : autoVariable(node, n);
    });
  }
  updateNodeVersion(node);
  if (op.setInputVarAttrOnCompose) {
    node.inputs.forEach((e, i) => {
      if (e.node.isVariable) op.setInputVarAttrOnCompose!(parsed, e.node, i);
    });
  }
  const outs: NodeEntry[] = [];
  for (let i = 0; i < node.numVisibleOutputs(); i++) outs.push(entry(node, i, 0));
  return new Symbol(outs);
}

// nnvm: a missing input becomes a variable named <node>_<input>, with a copy of the node's attributes.
function autoVariable(node: Node, input: string): NodeEntry {
  const name = node.name.length === 0 ? input : `${node.name}_${input}`;
  return entry(Node.variable(name, node.attrs as Record<string, string>));
}

installSymbolHooks({ createSymbol });
