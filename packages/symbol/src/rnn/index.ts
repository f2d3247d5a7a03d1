// @bkt/symbol/rnn — MXNet's mx.rnn cells: symbols of recurrent networks built step by step or
// fused, with MXNet's parameter and node names.

export { RNNParams } from './params.js';
export { BaseRNNCell, normalizeSequence, variableState, zerosState } from './base-cell.js';
export type { Layout, StateFunc, StateInfo, StateOptions, UnrollOptions, UnrollResult, UnrollSpec } from './base-cell.js';
export { GatedCell } from './gated-cell.js';
export { RNNCell, type RNNCellOptions } from './rnn-cell.js';
export { LSTMCell, type LSTMCellOptions } from './lstm-cell.js';
export { GRUCell, type GRUCellOptions } from './gru-cell.js';
export { FusedRNNCell, type FusedRNNCellOptions } from './fused-rnn-cell.js';
export { SequentialRNNCell } from './sequential-cell.js';
export { BidirectionalCell, type BidirectionalCellOptions } from './bidirectional-cell.js';
export { DropoutCell, type DropoutCellOptions } from './dropout-cell.js';
export { ModifierCell } from './modifier-cell.js';
export { ZoneoutCell, type ZoneoutCellOptions } from './zoneout-cell.js';
export { ResidualCell } from './residual-cell.js';
export type { Weight, WeightDict } from './weights.js';
