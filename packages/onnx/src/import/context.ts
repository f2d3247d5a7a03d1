// What an import mapping sees of its ONNX node: attributes, inputs as bkt symbols or as constant
// values, which inputs are known to be all zeros, and where its outputs and new parameters go.

import { FormatError, ValueError } from '@bkt/ndarray';
import { createSymbol, getOp, type Symbol } from '@bkt/symbol';
import { AttributeType, type DecodedAttribute, type DecodedNode, toNumber } from '../proto.js';

type NodeProto = DecodedNode;

export interface Constant {
  dims: number[];
  data: Float32Array;
}

export interface ImportEnv {
  symbolOf(tensor: string): Symbol;
  constantOf(tensor: string): Constant | undefined;
  isZero(tensor: string): boolean;
  isUsed(tensor: string): boolean;
  /** A parameter variable holding `value` (an auxiliary state when `aux`), named from `base`. */
  param(base: string, value: Constant, aux: boolean): Symbol;
  setSymbol(tensor: string, sym: Symbol): void;
}

export class ImportContext {
  constructor(
    readonly node: NodeProto,
    /** The bkt name of the node (sanitized, unique). */
    readonly name: string,
    private readonly env: ImportEnv,
  ) {}

  get opType(): string {
    return this.node.opType;
  }

  hasInput(i: number): boolean {
    return (this.node.input[i] ?? '') !== '';
  }

  input(i: number): Symbol {
    if (!this.hasInput(i)) this.fail(`input ${i} is missing`);
    return this.env.symbolOf(this.node.input[i]!);
  }

  constant(i: number): Constant | undefined {
    return this.hasInput(i) ? this.env.constantOf(this.node.input[i]!) : undefined;
  }

  requireConstant(i: number, what: string): Constant {
    const c = this.constant(i);
    if (!c) this.fail(`${what} (input ${i}, '${this.node.input[i] ?? ''}') must be a constant or an initializer`);
    return c;
  }

  /** Input i is absent or known to be all zeros. */
  isZeroOrAbsent(i: number): boolean {
    return !this.hasInput(i) || this.env.isZero(this.node.input[i]!);
  }

  /** Output i is known to be all zeros. */
  isZeroOutput(i: number): boolean {
    const t = this.node.output[i];
    return t !== undefined && t !== '' && this.env.isZero(t);
  }

  outputUsed(i: number): boolean {
    const t = this.node.output[i];
    return t !== undefined && t !== '' && this.env.isUsed(t);
  }

  setOutput(i: number, sym: Symbol): void {
    const t = this.node.output[i];
    if (t) this.env.setSymbol(t, sym);
  }

  param(suffix: string, value: Constant, aux = false): Symbol {
    return this.env.param(`${this.name}_${suffix}`, value, aux);
  }

  /** An input as a symbol, a constant one becoming a parameter named after its tensor. */
  inputOrParam(i: number): Symbol {
    const c = this.constant(i);
    return c ? this.env.param(this.node.input[i]!, c, false) : this.input(i);
  }

  /** A bkt operator node (name: this node's, or `<name>_<suffix>`), built like its creator would. */
  op(opName: string, args: Record<string, unknown>, suffix?: string): Symbol {
    const def = getOp(opName);
    return createSymbol(def, opName, { name: suffix ? `${this.name}_${suffix}` : this.name, ...args });
  }

  private attr(name: string): DecodedAttribute | undefined {
    return this.node.attribute.find((a) => a.name === name);
  }

  int(name: string, fallback: number): number {
    const a = this.attr(name);
    if (!a) return fallback;
    if (a.type !== AttributeType.INT) this.bad(name, 'an int');
    return toNumber(a.i);
  }

  ints(name: string, fallback: readonly number[]): number[] {
    const a = this.attr(name);
    if (!a) return [...fallback];
    if (a.type !== AttributeType.INTS) this.bad(name, 'a list of ints');
    return a.ints.map((v) => toNumber(v));
  }

  float(name: string, fallback: number): number {
    const a = this.attr(name);
    if (!a) return fallback;
    if (a.type !== AttributeType.FLOAT) this.bad(name, 'a float');
    return a.f;
  }

  string(name: string, fallback: string): string {
    const a = this.attr(name);
    if (!a) return fallback;
    if (a.type !== AttributeType.STRING) this.bad(name, 'a string');
    return new TextDecoder().decode(a.s);
  }

  strings(name: string): string[] | undefined {
    const a = this.attr(name);
    if (!a) return undefined;
    if (a.type !== AttributeType.STRINGS) this.bad(name, 'a list of strings');
    return a.strings.map((s) => new TextDecoder().decode(s));
  }

  has(name: string): boolean {
    return this.attr(name) !== undefined;
  }

  /** A ValueError naming the ONNX node and its op type. */
  fail(message: string): never {
    throw new ValueError(`importONNX: ${this.opType} node '${this.node.name || this.name}': ${message}`);
  }

  private bad(name: string, want: string): never {
    throw new FormatError(
      `importONNX: ${this.opType} node '${this.node.name || this.name}': attribute '${name}' must be ${want}`,
    );
  }
}
