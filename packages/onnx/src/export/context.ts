// What an operator mapping sees of the node it converts: its parameters, the ONNX names and the
// inferred shapes of its inputs and outputs (and which dimensions follow a dynamic input axis),
// the values of its parameter inputs, and the graph to append ONNX nodes to.

import { ValueError } from '@bkt/ndarray';
import type { Node, NodeEntry } from '@bkt/symbol';
import type { AttrValue, GraphBuilder } from './graph-builder.js';

/** Shapes inferred twice, with every dynamic input axis at two sizes: a dim differing between them is dynamic. */
export interface ShapePair {
  base: readonly number[];
  alt: readonly number[];
}

export interface ExportEnv {
  graph: GraphBuilder;
  opset: number;
  /** The ONNX tensor name of an entry (variables are materialized on first use). */
  nameOf(e: NodeEntry): string;
  shapeOf(e: NodeEntry): ShapePair;
  /** The value of a parameter variable, undefined for graph inputs and op outputs. */
  paramOf(e: NodeEntry): { shape: readonly number[]; data: Float32Array } | undefined;
  outputName(node: Node, index: number): string;
}

export class ExportContext {
  constructor(
    readonly node: Node,
    private readonly env: ExportEnv,
  ) {}

  get graph(): GraphBuilder {
    return this.env.graph;
  }

  get opset(): number {
    return this.env.opset;
  }

  params<P extends object>(): P {
    return this.node.params<P>();
  }

  get numInputs(): number {
    return this.node.inputs.length;
  }

  input(i: number): string {
    return this.env.nameOf(this.entry(i));
  }

  inputShape(i: number): readonly number[] {
    return this.env.shapeOf(this.entry(i)).base;
  }

  /** Per dimension of input i: does it follow a dynamic input axis? */
  inputDynamic(i: number): boolean[] {
    return dynamicDims(this.env.shapeOf(this.entry(i)));
  }

  inputPair(i: number): ShapePair {
    return this.env.shapeOf(this.entry(i));
  }

  outputShape(i = 0): readonly number[] {
    return this.env.shapeOf({ node: this.node, index: i, version: 0 }).base;
  }

  outputPair(i = 0): ShapePair {
    return this.env.shapeOf({ node: this.node, index: i, version: 0 });
  }

  /** The parameter value behind input i, or undefined when it is computed or fed at run time. */
  param(i: number): { shape: readonly number[]; data: Float32Array } | undefined {
    return this.env.paramOf(this.entry(i));
  }

  /** The ONNX name output i of the node must be written to. */
  output(i = 0): string {
    return this.env.outputName(this.node, i);
  }

  /** A fresh tensor name for an intermediate result of this node. */
  temp(suffix: string): string {
    return this.graph.unique(`${this.node.name}_${suffix}`);
  }

  /** Appends one ONNX node (named after the bkt node) and returns its outputs. */
  add(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attrs: Readonly<Record<string, AttrValue>> = {},
  ): readonly string[] {
    this.graph.node(opType, inputs, outputs, attrs, `${this.node.name}_${opType}`);
    return outputs;
  }

  /** Appends a one-output node writing a fresh temporary; returns its name. */
  addTemp(opType: string, inputs: readonly string[], attrs: Readonly<Record<string, AttrValue>> = {}): string {
    return this.add(opType, inputs, [this.temp(opType.toLowerCase())], attrs)[0]!;
  }

  int64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.graph.int64Initializer(`${this.node.name}_const`, dims, values);
  }

  float(values: readonly number[], dims: readonly number[] = []): string {
    return this.graph.floatInitializer(`${this.node.name}_const`, dims, Float32Array.from(values));
  }

  /** A ValueError naming the node and its op. */
  fail(message: string): never {
    throw new ValueError(`exportONNX: ${this.node.describe()}: ${message}`);
  }

  /** Fails when output i has a dimension that follows a dynamic axis (the mapping bakes a static shape). */
  requireStaticOutput(i: number, why: string): void {
    if (dynamicDims(this.outputPair(i)).some((d) => d)) {
      this.fail(
        `${why} needs a static output shape, but [${this.outputShape(i)}] follows a dynamic input axis; export with that axis static`,
      );
    }
  }

  private entry(i: number): NodeEntry {
    const e = this.node.inputs[i];
    if (!e) this.fail(`has no input ${i}`);
    return e;
  }
}

export function dynamicDims(p: ShapePair): boolean[] {
  return p.base.map((d, k) => d !== p.alt[k]);
}
