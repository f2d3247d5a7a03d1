// The operator definition: everything bkt knows about one MXNet operator, in one object. Each
// operator lives in its own file under ./ops and is registered by ./ops/index.ts.

import type { DType, KernelName } from '@bkt/ndarray/core';
import type { AttrSchema } from './attrs.js';
import type { Node, NodeEntry } from './graph.js';

/** A shape as MXNet's legacy (non-NumPy) semantics see it: a dimension of 0 is unknown. */
export type Shape = number[];

/**
 * What an inference rule sees of one node: its parameters and the current knowledge of every input
 * (arguments, then auxiliary states), every output and, for hidden backward ops, the forward node's
 * inputs and outputs. `undefined` is unknown. The `set*` methods merge new knowledge in and raise
 * ShapeError/DTypeError (naming the node, the op and everything it saw) on a conflict.
 */
export interface InferContext<P, V> {
  readonly params: P;
  readonly op: string;
  readonly node: string;
  readonly inputNames: readonly string[];
  readonly inputs: readonly (V | undefined)[];
  readonly outputs: readonly (V | undefined)[];
  /** For backward ops (`OpDef.backward`): the forward node's inputs and outputs; empty otherwise. */
  readonly fwdInputs: readonly (V | undefined)[];
  readonly fwdOutputs: readonly (V | undefined)[];
  setInput(i: number, v: V): void;
  setOutput(i: number, v: V): void;
  setFwdInput(i: number, v: V): void;
  setFwdOutput(i: number, v: V): void;
  /** Raises the context's error class with the node/op/inputs/outputs appended to `message`. */
  fail(message: string): never;
}

export type ShapeContext<P> = InferContext<P, Shape>;
export type TypeContext<P> = InferContext<P, DType>;

/**
 * What a gradient rule sees (MXNet's FGradient): the forward node and the summed gradient of each
 * of its outputs (`null` when no gradient reaches that output). It returns one gradient entry per
 * input of the node (arguments then auxiliary states), or `null` for "no gradient".
 */
export interface GradientContext<P> {
  readonly node: Node;
  readonly params: P;
  readonly ograds: readonly (NodeEntry | null)[];
  /** The gradient of output `i`, or a `zeros_like` of that output when none reaches it. */
  ograd(i?: number): NodeEntry;
  /** Entry `i` of the forward node's inputs. */
  input(i: number): NodeEntry;
  /** Output `i` of the forward node. */
  output(i: number): NodeEntry;
  /**
   * A new node of op `op` (usually a hidden `_backward_*` op). Defaults as MXNet's MakeGradNode:
   * name `<forward name>_backward`, a copy of the forward node's attributes, and the forward node
   * as its control dependency (which backward ops use for shape and type inference).
   */
  makeNode(
    op: string,
    inputs: readonly NodeEntry[],
    opts?: { name?: string; attrs?: Record<string, string>; controlDep?: boolean },
  ): Node;
  /** Output `index` of a node made by `makeNode`. */
  entry(node: Node, index?: number): NodeEntry;
}

export interface OpDef<P extends object = Record<string, unknown>> {
  /** MXNet's operator name, as written in symbol JSON (`FullyConnected`, `add_n`, `_copy`). */
  readonly name: string;
  /** Other names MXNet registers for the same operator (`ElementWiseSum`, `identity`, `split`). */
  readonly aliases?: readonly string[];
  readonly describe?: string;
  /** The parameters, with types, defaults and MXNet keys. */
  readonly attrs: AttrSchema<P>;
  /** Names of the arguments, in MXNet's order; may depend on parameters (`no_bias` drops `bias`). */
  inputNames(params: P): string[];
  /** Names of the auxiliary states; they follow the arguments in a node's inputs and are mutated. */
  auxNames?(params: P): string[];
  /**
   * For operators taking a list of inputs (MXNet's `key_var_num_args`): the key of the list in the
   * creator's arguments and the parameter holding its length. `inputNames` then returns `arg<i>`.
   */
  readonly variadic?: { readonly key: string; readonly countAttr: string };
  /** Number of outputs, hidden ones included. Default 1. */
  numOutputs?(params: P): number;
  /** Outputs a symbol exposes (MXNet's FNumVisibleOutputs). Default: all. */
  numVisibleOutputs?(params: P): number;
  /** Output name suffixes (MXNet's FListOutputNames); default `output`, or `output<i>` when several. */
  outputNames?(params: P): string[];
  /** Bidirectional shape rule: fill in whatever the known inputs/outputs imply, in any direction. */
  inferShape(ctx: ShapeContext<P>): void;
  /** Bidirectional element-type rule. */
  inferType(ctx: TypeContext<P>): void;
  /** Symbolic gradient (MXNet's FGradient). Absent: the operator is not differentiable. */
  gradient?(ctx: GradientContext<P>): (NodeEntry | null)[];
  /**
   * Loss layers (SoftmaxOutput, MakeLoss) compute their input gradient without an incoming output
   * gradient: autodiff runs their gradient rule even when nothing flows into them and does not
   * create a head-gradient variable for them.
   */
  selfSeeding?(params: P): boolean;
  /** A hidden backward op (MXNet's TIsBackward): its control dependency is its forward node. */
  readonly backward?: boolean;
  /**
   * The native kernel that runs this op (its id comes from @bkt/ndarray's src/op-ids.json; the
   * attributes it reads, from src/kernel-attrs.json). A gradient's kernel is the `forward` of the
   * backward op the gradient builds.
   */
  readonly kernels: { readonly forward: KernelName };
  /** Pairs [inputIndex, outputIndex] whose memory may be shared (MXNet's FInplaceOption). */
  inplace?(params: P): readonly (readonly [number, number])[];
  /** MXNet's FSetInputVarAttrOnCompose: annotate a variable input (e.g. an aux state's `__init__`). */
  setInputVarAttrOnCompose?(params: P, variable: Node, index: number): void;
}

export type AnyOpDef = OpDef<any>;

/** Identity helper that lets TypeScript infer `P` from the schema. */
export function defineOp<P extends object>(def: OpDef<P>): OpDef<P> {
  return def;
}
