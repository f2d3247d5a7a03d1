// Collects the nodes, initializers and tensor names of the ONNX graph being written; every name it
// hands out is unique in the graph.

import { onnx, floatTensor, int64Tensor, AttributeType } from '../proto.js';

export type AttrValue =
  | number
  | string
  | readonly number[]
  | readonly string[]
  | { float: number }
  | { floats: readonly number[] };

type NodeProto = InstanceType<typeof onnx.NodeProto>;
type TensorProto = InstanceType<typeof onnx.TensorProto>;

/** Integral numbers become INT/INTS; write `{ float: x }` / `{ floats: [...] }` for a float attribute. */
function attribute(name: string, v: AttrValue): InstanceType<typeof onnx.AttributeProto> {
  if (typeof v === 'number') return onnx.AttributeProto.create({ name, type: AttributeType.INT, i: v });
  if (typeof v === 'string')
    return onnx.AttributeProto.create({ name, type: AttributeType.STRING, s: new TextEncoder().encode(v) });
  if ('float' in v) return onnx.AttributeProto.create({ name, type: AttributeType.FLOAT, f: v.float });
  if ('floats' in v) return onnx.AttributeProto.create({ name, type: AttributeType.FLOATS, floats: [...v.floats] });
  const list = v as readonly (number | string)[];
  if (list.every((x) => typeof x === 'string')) {
    return onnx.AttributeProto.create({
      name,
      type: AttributeType.STRINGS,
      strings: (list as string[]).map((s) => new TextEncoder().encode(s)),
    });
  }
  return onnx.AttributeProto.create({ name, type: AttributeType.INTS, ints: [...(list as number[])] });
}

function claim(taken: Set<string>, base: string): string {
  let name = base;
  for (let i = 1; taken.has(name); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
}

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly used = new Set<string>();
  private readonly nodeNames = new Set<string>();

  /** A tensor name: `base`, or `base_1`, `base_2`, … if taken; the name is reserved. */
  unique(base: string): string {
    return claim(this.used, base);
  }

  reserve(name: string): boolean {
    if (this.used.has(name)) return false;
    this.used.add(name);
    return true;
  }

  /** Appends a node; `outputs` are names already reserved. */
  node(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attrs: Readonly<Record<string, AttrValue>> = {},
    name?: string,
  ): void {
    this.nodes.push(
      onnx.NodeProto.create({
        opType,
        input: [...inputs],
        output: [...outputs],
        name: claim(this.nodeNames, name ?? opType),
        attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
      }),
    );
  }

  floatInitializer(base: string, dims: readonly number[], data: Float32Array): string {
    const name = this.unique(base);
    this.initializers.push(floatTensor(name, dims, data));
    return name;
  }

  int64Initializer(base: string, dims: readonly number[], data: readonly number[]): string {
    const name = this.unique(base);
    this.initializers.push(int64Tensor(name, dims, data));
    return name;
  }
}
