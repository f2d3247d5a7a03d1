// importONNX: ONNX ModelProto bytes → a bkt symbol with its parameters. Only the nodes the graph's
// outputs need are converted; constants (initializers, Constant nodes) are read where a mapping
// wants a value (shapes, axes, weights; a Transpose of a constant matrix is folded), and tensors known to be zeros (ConstantOfShape of 0, and
// slices or reshapes of it, as exporters build begin states) let an RNN start from `_zeros`.

import { FormatError, type NDArray, ValueError, fromTypedArray } from '@bkt/ndarray';
import { Group, type Symbol, Variable } from '@bkt/symbol';
import { type DecodedModel, type DecodedNode, onnx, tensorValues, toNumber } from '../proto.js';
import { type Constant, ImportContext, type ImportEnv } from './context.js';
import { transpose2d } from './ops/transpose-2d.js';
import { findImporter } from './registry.js';
import './ops/index.js';

type NodeProto = DecodedNode;

export interface ImportedModel {
  symbol: Symbol;
  argParams: Record<string, NDArray>;
  auxParams: Record<string, NDArray>;
  /** The graph's data inputs with their declared dims (a string for a symbolic one). bkt feeds them as float32. */
  inputs: { name: string; shape: (number | string)[] }[];
}

export const MIN_IMPORT_OPSET = 13;

/** Passes zeros through: their output is all zeros when input 0 is. */
const ZERO_PRESERVING = new Set([
  'Slice',
  'Squeeze',
  'Unsqueeze',
  'Reshape',
  'Expand',
  'Identity',
  'Cast',
  'Transpose',
  'Flatten',
]);

function decode(bytes: Uint8Array): DecodedModel {
  if (!(bytes instanceof Uint8Array)) throw new ValueError('importONNX: bytes must be a Uint8Array (e.g. fs.readFileSync(file))');
  try {
    return onnx.ModelProto.decode(bytes) as unknown as DecodedModel;
  } catch (e) {
    throw new FormatError(`importONNX: not an ONNX model: ${(e as Error).message}`);
  }
}

function checkOpset(model: DecodedModel): void {
  const main = model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  const version = main ? toNumber(main.version) : 0;
  if (version < MIN_IMPORT_OPSET)
    throw new ValueError(
      `importONNX: the model uses opset ${version || 'none'} of the default domain; opset ${MIN_IMPORT_OPSET} or later is read`,
    );
}

function constantNodeValue(node: NodeProto): Constant {
  const value = node.attribute.find((a) => a.name === 'value');
  if (value?.t) return tensorValues(value.t, `Constant node '${node.name}'`);
  const floats = node.attribute.find((a) => a.name === 'value_float' || a.name === 'value_floats');
  if (floats)
    return floats.name === 'value_float'
      ? { dims: [], data: Float32Array.of(floats.f) }
      : { dims: [floats.floats.length], data: Float32Array.from(floats.floats) };
  const ints = node.attribute.find((a) => a.name === 'value_int' || a.name === 'value_ints');
  if (ints)
    return ints.name === 'value_int'
      ? { dims: [], data: Float32Array.of(toNumber(ints.i)) }
      : { dims: [ints.ints.length], data: Float32Array.from(ints.ints.map((v) => toNumber(v))) };
  throw new ValueError(`importONNX: Constant node '${node.name}' has no value, value_float(s) or value_int(s)`);
}

class Names {
  private readonly taken = new Set<string>();
  claim(raw: string): string {
    const base = raw.replace(/[^A-Za-z0-9_.]+/g, '_').replace(/^[_.]+|[_.]+$/g, '') || 'node';
    let name = base;
    for (let i = 1; this.taken.has(name); i++) name = `${base}_${i}`;
    this.taken.add(name);
    return name;
  }
}

/** Reads an ONNX model as a bkt symbol and parameters (float32), for binding, scoring or fine-tuning. */
export function importONNX(bytes: Uint8Array): ImportedModel {
  const model = decode(bytes);
  checkOpset(model);
  const graph = model.graph;
  if (!graph) throw new FormatError('importONNX: the model has no graph');

  const constants = new Map<string, Constant>();
  for (const t of graph.initializer) constants.set(t.name, tensorValues(t, 'importONNX'));
  const producers = new Map<string, NodeProto>();
  for (const n of graph.node) {
    if (n.domain && n.domain !== 'ai.onnx')
      throw new ValueError(
        `importONNX: ${n.opType} node '${n.name}' is in domain '${n.domain}'; only the default domain is read`,
      );
    if (n.opType === 'Constant') constants.set(n.output[0]!, constantNodeValue(n));
    // a transposed weight matrix (x·Wᵀ written as MatMul by Transpose(W)) is still a constant
    const source = n.opType === 'Transpose' ? constants.get(n.input[0]!) : undefined;
    const perm = n.attribute.find((a) => a.name === 'perm')?.ints.map((v) => toNumber(v));
    if (source && source.dims.length === 2 && (!perm || (perm[0] === 1 && perm[1] === 0)))
      constants.set(n.output[0]!, transpose2d(source));
    for (const o of n.output) if (o) producers.set(o, n);
  }
  const dataInputs = graph.input.filter((i) => !constants.has(i.name));

  const zeroMemo = new Map<string, boolean>();
  const isZero = (t: string): boolean => {
    if (zeroMemo.has(t)) return zeroMemo.get(t)!;
    let zero = false;
    const c = constants.get(t);
    const p = producers.get(t);
    if (c) zero = c.data.every((v) => v === 0);
    else if (p?.opType === 'ConstantOfShape') {
      const v = p.attribute.find((a) => a.name === 'value')?.t;
      zero = !v || tensorValues(v, 'ConstantOfShape').data.every((x) => x === 0);
    } else if (p && ZERO_PRESERVING.has(p.opType)) zero = isZero(p.input[0]!);
    zeroMemo.set(t, zero);
    return zero;
  };

  const names = new Names();
  const argNames = new Names();
  for (const i of dataInputs) argNames.claim(i.name);
  const symbols = new Map<string, Symbol>();
  const argParams: Record<string, NDArray> = {};
  const auxParams: Record<string, NDArray> = {};
  const paramSymbols = new Map<string, Symbol>();
  const used = new Set<string>(graph.output.map((o) => o.name));
  const env: ImportEnv = {
    symbolOf(t) {
      const s = symbols.get(t);
      if (s) return s;
      if (dataInputs.some((i) => i.name === t)) {
        const v = Variable(t);
        symbols.set(t, v);
        return v;
      }
      if (constants.has(t)) return env.param(t, constants.get(t)!, false);
      throw new ValueError(
        `importONNX: tensor '${t}' is neither a graph input, an initializer nor the output of a converted node`,
      );
    },
    constantOf: (t) => constants.get(t),
    isZero,
    isUsed: (t) => used.has(t),
    param(base, value, aux) {
      const key = `${aux ? 'aux' : 'arg'}:${base}`;
      const known = paramSymbols.get(key);
      if (known) return known;
      const name = argNames.claim(base);
      const shape = value.dims.length === 0 ? [1] : value.dims;
      (aux ? auxParams : argParams)[name] = fromTypedArray(value.data, shape);
      // the shape rides on the variable (`__shape__`), so binding needs only the data shapes
      const v = Variable(name, { shape });
      paramSymbols.set(key, v);
      return v;
    },
    setSymbol: (t, s) => void symbols.set(t, s),
  };

  // The nodes the outputs need, following only the inputs each mapping reads as graph values.
  const contexts = new Map<NodeProto, ImportContext>();
  const stack = graph.output.map((o) => o.name);
  while (stack.length > 0) {
    const t = stack.pop()!;
    const n = producers.get(t);
    if (!n || contexts.has(n) || (constants.has(t) && n.opType === 'Constant')) continue;
    const importer = findImporter(n.opType);
    if (!importer) throw new ValueError(`importONNX: ${n.opType} node '${n.name}' has no bkt mapping (op type '${n.opType}')`);
    const ctx = new ImportContext(n, names.claim(n.name || n.opType.toLowerCase()), env);
    contexts.set(n, ctx);
    const inputs = importer.usedInputs ? importer.usedInputs(ctx) : n.input.map((_, i) => i).filter((i) => ctx.hasInput(i));
    for (const i of inputs) {
      used.add(n.input[i]!);
      stack.push(n.input[i]!);
    }
  }
  for (const n of graph.node) {
    const ctx = contexts.get(n);
    if (ctx) findImporter(n.opType)!.convert(ctx);
  }

  const outputs = graph.output.map((o) => env.symbolOf(o.name));
  const inputs = dataInputs
    .filter((i) => symbols.has(i.name))
    .map((i) => ({
      name: i.name,
      shape: (i.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : toNumber(d.dimValue))),
    }));
  return { symbol: outputs.length === 1 ? outputs[0]! : Group(outputs), argParams, auxParams, inputs };
}
