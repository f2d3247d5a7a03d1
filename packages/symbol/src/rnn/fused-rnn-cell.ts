// MXNet's FusedRNNCell: a whole multi-layer (bidirectional) RNN, LSTM or GRU as one `RNN` operator
// named `<prefix>rnn` whose weights are the single packed variable `<prefix>parameters` (layout in
// ../ops/rnn.ts). It cannot be stepped; `unfuse()` gives the equivalent stack of step cells, and
// unpackWeights / packWeights convert the packed vector to and from their per-gate arrays.

import { ShapeError, ValueError } from '@bkt/ndarray/core';
import { RNN } from '../creators.js';
import { RNN_GATES, RNN_MODES, rnnInputSize, rnnParamSize, type RNNMode } from '../ops/rnn.js';
import { pyFloat } from '../pyrepr.js';
import type { Symbol } from '../symbol.js';
import { BaseRNNCell, normalizeSequence, type StateInfo, type UnrollResult, type UnrollSpec } from './base-cell.js';
import { BidirectionalCell } from './bidirectional-cell.js';
import { DropoutCell } from './dropout-cell.js';
import { GRUCell } from './gru-cell.js';
import { initDesc } from './init-desc.js';
import { LSTMCell } from './lstm-cell.js';
import { swapAxes } from './ops.js';
import type { RNNParams } from './params.js';
import { RNNCell } from './rnn-cell.js';
import { SequentialRNNCell } from './sequential-cell.js';
import { take, type Weight, type WeightDict } from './weights.js';

export interface FusedRNNCellOptions {
  numLayers?: number;
  mode?: RNNMode;
  bidirectional?: boolean;
  /** Dropout between layers. */
  dropout?: number;
  /** Return the final states from unroll (the RNN op's state_outputs). */
  getNextState?: boolean;
  forgetBias?: number;
  /** Default `<mode>_`. */
  prefix?: string;
  params?: RNNParams;
}

const positive = (v: number, what: string): number => {
  if (!Number.isInteger(v) || v < 1) throw new ValueError(`FusedRNNCell: ${what} must be a positive integer, got ${v}`);
  return v;
};

export class FusedRNNCell extends BaseRNNCell {
  readonly numHidden: number;
  readonly numLayers: number;
  readonly mode: RNNMode;
  readonly bidirectional: boolean;
  readonly dropout: number;
  readonly getNextState: boolean;
  readonly forgetBias: number;
  private readonly parameter: Symbol;

  constructor(numHidden: number, opts: FusedRNNCellOptions = {}) {
    const mode = opts.mode ?? 'lstm';
    if (!RNN_MODES.includes(mode))
      throw new ValueError(`FusedRNNCell: unknown mode '${String(mode)}' (modes: ${RNN_MODES.join(', ')})`);
    super(opts.prefix ?? `${mode}_`, opts.params);
    this.numHidden = positive(numHidden, 'num_hidden');
    this.numLayers = positive(opts.numLayers ?? 1, 'num_layers');
    this.mode = mode;
    this.bidirectional = opts.bidirectional ?? false;
    this.dropout = opts.dropout ?? 0;
    this.getNextState = opts.getNextState ?? false;
    this.forgetBias = opts.forgetBias ?? 1;
    // MXNet's FusedRNN initializer, which initializes each packed matrix as the unfused cells would.
    const init = initDesc('fusedrnn', [
      ['init', 'null'],
      ['num_hidden', String(this.numHidden)],
      ['num_layers', String(this.numLayers)],
      ['mode', JSON.stringify(mode)],
      ['bidirectional', String(this.bidirectional)],
      ['forget_bias', pyFloat(this.forgetBias)],
    ]);
    this.parameter = this.params.get('parameters', { init });
  }

  /** Direction tags of the unpacked names: `l` (left to right), then `r`. */
  private get directions(): string[] {
    return this.bidirectional ? ['l', 'r'] : ['l'];
  }

  get gateNames(): readonly string[] {
    return RNN_GATES[this.mode];
  }

  get stateInfo(): StateInfo[] {
    const shape = [this.directions.length * this.numLayers, 0, this.numHidden];
    return Array.from({ length: this.mode === 'lstm' ? 2 : 1 }, () => ({ shape, layout: 'LNC' }));
  }

  step(): [Symbol, Symbol[]] {
    throw new ValueError('FusedRNNCell cannot be stepped. Please use unroll');
  }

  protected override unrollImpl(
    length: number,
    inputs: Symbol | readonly Symbol[],
    o: UnrollSpec,
  ): UnrollResult<Symbol | Symbol[]> {
    this.reset();
    // The RNN operator wants TNC: an NTC sequence is swapped in and out (prefer TNC).
    const ntc = o.layout === 'NTC';
    let data = normalizeSequence(length, inputs, o.layout, true) as Symbol;
    if (ntc) data = swapAxes(data, 0, 1);
    const begin = o.beginState ?? this.beginState();
    if (begin.length !== this.stateInfo.length) {
      throw new ValueError(`FusedRNNCell '${this.prefix}': ${this.stateInfo.length} begin states expected, got ${begin.length}`);
    }
    const lstm = this.mode === 'lstm';
    const rnn = RNN({
      data,
      parameters: this.parameter,
      state: begin[0]!,
      ...(lstm ? { state_cell: begin[1]! } : {}),
      stateSize: this.numHidden,
      numLayers: this.numLayers,
      bidirectional: this.bidirectional,
      p: this.dropout,
      stateOutputs: this.getNextState,
      mode: this.mode,
      name: `${this.prefix}rnn`,
    });
    let states: Symbol[] = [];
    if (this.getNextState) {
      rnn.at(1).setAttr({ __layout__: 'LNC' });
      states = lstm ? [rnn.at(1), rnn.at(2)] : [rnn.at(1)];
    }
    let outputs = rnn.at(0);
    if (ntc) outputs = swapAxes(outputs, 0, 1);
    return { outputs: normalizeSequence(length, outputs, o.layout, o.mergeOutputs), states };
  }

  /**
   * The equivalent stack of step cells: per layer `<prefix>l<i>_` (and `<prefix>r<i>_` in a
   * BidirectionalCell with output prefix `<prefix>bi_l<i>_`), DropoutCells `<prefix>_dropout<i>_`
   * between layers. Their weights are what unpackWeights then the cells' packWeights give. (MXNet
   * leaves forget_bias at its default in the unfused LSTM cells; here they inherit it.)
   */
  unfuse(): SequentialRNNCell {
    const h = this.numHidden;
    const cell = (prefix: string): BaseRNNCell => {
      switch (this.mode) {
        case 'rnn_relu':
          return new RNNCell(h, { activation: 'relu', prefix });
        case 'rnn_tanh':
          return new RNNCell(h, { activation: 'tanh', prefix });
        case 'lstm':
          return new LSTMCell(h, { prefix, forgetBias: this.forgetBias });
        case 'gru':
          return new GRUCell(h, { prefix });
      }
    };
    const stack = new SequentialRNNCell();
    const p = this.prefix;
    for (let i = 0; i < this.numLayers; i++) {
      if (this.bidirectional) {
        stack.add(new BidirectionalCell(cell(`${p}l${i}_`), cell(`${p}r${i}_`), { outputPrefix: `${p}bi_l${i}_` }));
      } else {
        stack.add(cell(`${p}l${i}_`));
      }
      if (this.dropout > 0 && i !== this.numLayers - 1) stack.add(new DropoutCell(this.dropout, { prefix: `${p}_dropout${i}_` }));
    }
    return stack;
  }

  // Name and shape of every array in the packed vector, in storage order (MXNet's _slice_weights).
  private packedLayout(inputSize: number): { name: string; shape: number[] }[] {
    const h = this.numHidden;
    const dirs = this.directions;
    const out: { name: string; shape: number[] }[] = [];
    const each = (fn: (tag: string, layer: number) => void): void => {
      for (let layer = 0; layer < this.numLayers; layer++) for (const d of dirs) fn(`${this.prefix}${d}${layer}`, layer);
    };
    each((tag, layer) => {
      for (const g of this.gateNames)
        out.push({ name: `${tag}_i2h${g}_weight`, shape: [h, layer === 0 ? inputSize : dirs.length * h] });
      for (const g of this.gateNames) out.push({ name: `${tag}_h2h${g}_weight`, shape: [h, h] });
    });
    each((tag) => {
      for (const g of this.gateNames) out.push({ name: `${tag}_i2h${g}_bias`, shape: [h] });
      for (const g of this.gateNames) out.push({ name: `${tag}_h2h${g}_bias`, shape: [h] });
    });
    return out;
  }

  private get layout(): { mode: RNNMode; numLayers: number; bidirectional: boolean; stateSize: number } {
    return { mode: this.mode, numLayers: this.numLayers, bidirectional: this.bidirectional, stateSize: this.numHidden };
  }

  /** `<prefix>parameters` cut into `<prefix><l|r><layer>_<i2h|h2h><gate>_<weight|bias>` arrays. */
  override unpackWeights(args: WeightDict): Record<string, Weight> {
    const out = { ...args };
    const name = this.parameter.name!;
    const packed = take(out, name);
    const inputSize = rnnInputSize(this.layout, packed.data.length);
    if (inputSize === undefined) {
      throw new ShapeError(`FusedRNNCell '${this.prefix}': '${name}' has ${packed.data.length} values, which fits no input size`);
    }
    let at = 0;
    for (const { name: part, shape } of this.packedLayout(inputSize)) {
      const n = shape.reduce((a, b) => a * b, 1);
      out[part] = { shape, data: packed.data.slice(at, at + n) };
      at += n;
    }
    return out;
  }

  /** The per-gate arrays joined into `<prefix>parameters`; the input size comes from layer 0's i2h weight. */
  override packWeights(args: WeightDict): Record<string, Weight> {
    const out = { ...args };
    const firstName = `${this.prefix}l0_i2h${this.gateNames[0]}_weight`;
    const first = out[firstName];
    if (first === undefined || first.shape.length !== 2)
      throw new ValueError(`FusedRNNCell '${this.prefix}': need the 2-D weight '${firstName}'`);
    const inputSize = first.shape[1]!;
    const data = new Float32Array(rnnParamSize({ ...this.layout, inputSize }));
    let at = 0;
    for (const { name, shape } of this.packedLayout(inputSize)) {
      const w = take(out, name);
      if (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i])) {
        throw new ShapeError(
          `FusedRNNCell '${this.prefix}': '${name}' has shape (${w.shape.join(', ')}), expected (${shape.join(', ')})`,
        );
      }
      data.set(w.data, at);
      at += w.data.length;
    }
    out[this.parameter.name!] = { shape: [data.length], data };
    return out;
  }
}
