// exportONNX: a bkt symbol and its parameters → ONNX ModelProto bytes. Shapes are inferred twice,
// with each dynamic input axis at two sizes, so every mapping knows which dimensions follow a
// dynamic axis (and can keep them symbolic, e.g. in Reshape) or refuses when it would bake one.

import { NDArray, ValueError } from '@bkt/ndarray';
import {
  type GraphValues,
  inferGraphShapes,
  type Node,
  type NodeEntry,
  type Shape,
  type Symbol,
  isCompleteShape,
  topoOrder,
} from '@bkt/symbol';
import { DataType, IR_VERSION, onnx } from '../proto.js';
import { ExportContext, type ExportEnv, type ShapePair } from './context.js';
import { GraphBuilder } from './graph-builder.js';
import { type CheckedExportOptions, checkExportOptions, type ExportOptions } from './options.js';
import { findExporter } from './registry.js';
import { fuseUnrolledCells } from './unrolled-cells.js';
import './ops/index.js';

type Params = Readonly<Record<string, NDArray>>;

function paramValues(argParams: Params, auxParams: Params): Map<string, { shape: readonly number[]; data: Float32Array }> {
  const out = new Map<string, { shape: readonly number[]; data: Float32Array }>();
  for (const [what, params] of [
    ['argParams', argParams],
    ['auxParams', auxParams],
  ] as const) {
    if (params === null || typeof params !== 'object') throw new ValueError(`exportONNX: ${what} must map names to NDArrays`);
    for (const [name, arr] of Object.entries(params)) {
      if (!(arr instanceof NDArray)) throw new ValueError(`exportONNX: ${what}.${name} is not an NDArray`);
      if (arr.dtype !== 'float32')
        throw new ValueError(`exportONNX: ${what}.${name} is ${arr.dtype}; only float32 parameters are exported`);
      out.set(name, { shape: [...arr.shape], data: arr.toTypedArray() as Float32Array });
    }
  }
  return out;
}

function inferBoth(
  sym: Symbol,
  o: CheckedExportOptions,
  params: Map<string, { shape: readonly number[] }>,
): { base: GraphValues<Shape>; alt: GraphValues<Shape> } {
  const known: Record<string, number[]> = {};
  const vars = new Set(sym.listInputs());
  for (const [name, p] of params) if (vars.has(name)) known[name] = [...p.shape];
  for (const name of Object.keys(o.inputShapes)) {
    if (!vars.has(name))
      throw new ValueError(
        `exportONNX: inputShapes.${name}: the symbol has no input '${name}' (inputs: ${[...vars].join(', ')})`,
      );
  }
  const base = inferGraphShapes(sym, { ...known, ...o.inputShapes });
  if (o.dynamicAxes.size === 0) return { base, alt: base };
  const altShapes: Record<string, number[]> = { ...o.inputShapes };
  let k = 0;
  for (const [name, axes] of o.dynamicAxes) {
    const s = [...altShapes[name]!];
    for (const axis of axes.keys()) s[axis] = s[axis]! + 1 + k++;
    altShapes[name] = s;
  }
  try {
    return { base, alt: inferGraphShapes(sym, { ...known, ...altShapes }) };
  } catch (e) {
    throw new ValueError(
      `exportONNX: the graph does not allow the dynamic axes asked for (${[...o.dynamicAxes.keys()].join(', ')}): ${(e as Error).message}`,
    );
  }
}

// The op nodes the outputs depend on, following only the inputs each mapping uses.
function neededNodes(sym: Symbol): Set<Node> {
  const needed = new Set<Node>();
  const stack = sym.outputs.map((e) => e.node);
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (needed.has(n)) continue;
    needed.add(n);
    if (n.isVariable) continue;
    const exporter = findExporter(n.op!.name);
    if (!exporter) throw new ValueError(`exportONNX: ${n.describe()} has no ONNX mapping (operator '${n.op!.name}')`);
    const used = exporter.usedInputs ? exporter.usedInputs(n) : n.inputs.map((_, i) => i);
    for (const i of used) stack.push(n.inputs[i]!.node);
  }
  return needed;
}

function valueInfo(name: string, pair: ShapePair, dimName: (k: number) => string): InstanceType<typeof onnx.ValueInfoProto> {
  const dim = pair.base.map((d, k) => (d === pair.alt[k] ? { dimValue: d } : { dimParam: dimName(k) }));
  return onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: DataType.FLOAT, shape: { dim } } } });
}

/** Writes `symbol` with its parameters as an ONNX model (inference form: loss layers give their predictions). */
export function exportONNX(given: Symbol, argParams: Params, auxParams: Params, options: ExportOptions): Uint8Array {
  const o = checkExportOptions(options);
  const params = paramValues(argParams, auxParams);
  const symbol = fuseUnrolledCells(given, params);
  const { base, alt } = inferBoth(symbol, o, params);
  const needed = neededNodes(symbol);
  const graph = new GraphBuilder();
  const names = new Map<Node, string[]>();
  const inputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];

  const shapeOf = (e: NodeEntry): ShapePair => {
    const b = base.of(e);
    const a = alt.of(e);
    if (!isCompleteShape(b) || !isCompleteShape(a)) {
      throw new ValueError(
        `exportONNX: the shape of ${e.node.describe()} output ${e.index} could not be inferred from inputShapes; give every data input's shape`,
      );
    }
    return { base: b!, alt: a! };
  };
  const materialize = (n: Node): void => {
    const p = params.get(n.name);
    if (p) {
      names.set(n, [graph.floatInitializer(n.name, p.shape, p.data)]);
    } else if (o.inputShapes[n.name]) {
      if (!graph.reserve(n.name)) throw new ValueError(`exportONNX: input name '${n.name}' is used twice`);
      const axes = o.dynamicAxes.get(n.name);
      inputs.push(valueInfo(n.name, shapeOf({ node: n, index: 0, version: 0 }), (k) => axes?.get(k) ?? `${n.name}_dim${k}`));
      names.set(n, [n.name]);
    } else {
      throw new ValueError(`exportONNX: variable '${n.name}' is neither a parameter (argParams/auxParams) nor in inputShapes`);
    }
  };
  const env: ExportEnv = {
    graph,
    opset: o.opset,
    nameOf: (e) => {
      if (!names.has(e.node)) {
        if (!e.node.isVariable) throw new ValueError(`exportONNX: ${e.node.describe()} was used before it was converted`);
        materialize(e.node);
      }
      return names.get(e.node)![e.index]!;
    },
    shapeOf,
    paramOf: (e) => (e.node.isVariable ? params.get(e.node.name) : undefined),
    outputName: (node, i) => names.get(node)![i]!,
  };

  for (const n of topoOrder(symbol.outputs)) {
    if (!needed.has(n) || n.isVariable) continue;
    names.set(
      n,
      Array.from({ length: n.numOutputs() }, (_, i) => graph.unique(n.outputName(i))),
    );
    findExporter(n.op!.name)!.convert(new ExportContext(n, env));
  }

  const outputs = symbol.outputs.map((e) => {
    const name = env.nameOf(e);
    const dynamicNames = new Map<string, string>();
    for (const [input, axes] of o.dynamicAxes) {
      for (const [axis, label] of axes) {
        const inputNode = symbol.inputNodes().find((v) => v.name === input)!;
        const p = shapeOf({ node: inputNode, index: 0, version: 0 });
        dynamicNames.set(`${p.base[axis]},${p.alt[axis]}`, label);
      }
    }
    const pair = shapeOf(e);
    return valueInfo(name, pair, (k) => dynamicNames.get(`${pair.base[k]},${pair.alt[k]}`) ?? `${name}_dim${k}`);
  });

  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    producerName: 'bkt',
    producerVersion: '0.1.0',
    opsetImport: [{ domain: '', version: o.opset }],
    graph: onnx.GraphProto.create({
      name: o.graphName,
      node: graph.nodes,
      initializer: graph.initializers,
      input: inputs,
      output: outputs,
    }),
  });
  return onnx.ModelProto.encode(model).finish();
}
