// @bkt/symbol — Symbol graphs, operator definitions, shape/type inference, autodiff, MXNet symbol JSON.

import './ops/index.js';

export { AttrSchema, attr, isHiddenKey, parseValue, formatValue } from './attrs.js';
export type { AttrType, AttrField, FieldSpec, ParamsOf } from './attrs.js';
export { defineOp } from './op-def.js';
export type { OpDef, AnyOpDef, Shape, InferContext, ShapeContext, TypeContext, GradientContext } from './op-def.js';
export { registerOp, getOp, findOp, listOps } from './registry.js';
export { Node, entry, dfsPostOrder, topoOrder, copyGraph } from './graph.js';
export type { NodeEntry } from './graph.js';
export { Symbol, Group } from './symbol.js';
export { Variable, STORAGE_TYPE_IDS } from './variable.js';
export type { VariableOptions } from './variable.js';
export { NameManager, Prefix, withNameManager, withPrefix } from './name.js';
export { AttrScope, withAttrScope } from './attr-scope.js';
export { HIDDEN_KEYS } from './hidden-keys.js';
export { makeCreator, makeVarCreator, createSymbol } from './creator.js';
export type { CommonArgs, OpArgs, VarOpArgs, Creator } from './creator.js';
export * from './creators.js';
export { _square_sum, type SquareSumArgs } from './square-sum.js';
export {
  inferShape,
  inferShapePartial,
  inferType,
  inferTypePartial,
  inferGraphShapes,
  inferGraphTypes,
  mergeShape,
  formatShape,
  isCompleteShape,
  GraphValues,
} from './infer.js';
export type { ShapeResult, PartialShapeResult, TypeResult, PartialTypeResult } from './infer.js';
export { symbolToJSON, symbolFromJSON, saveSymbol, loadSymbol, MAX_SYMBOL_FILE_BYTES, MXNET_VERSION } from './json.js';
export { buildGradient, gradient } from './autodiff.js';
export type { GradReq, GradientOptions, GradientGraph } from './autodiff.js';
export { pyFloat, pyNumber, pyBool, pyTuple } from './pyrepr.js';
export { ALL_OPS } from './ops/index.js';
// layers and RNN
export { rnnParamSize, rnnInputSize, RNN_MODES, RNN_GATES } from './ops/rnn.js';
export type { RNNMode, RNNLayout } from './ops/rnn.js';
