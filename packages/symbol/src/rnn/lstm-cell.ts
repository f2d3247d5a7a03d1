// MXNet's LSTMCell. Gates in row order i, f, c, o: i = σ(·), f = σ(·), g = tanh(·), o = σ(·) of
// i2h(x) + h2h(h); c' = f·c + i·g; h' = o·tanh(c'). States [h, c]. The i2h bias is initialized
// with forget_bias on the f rows (MXNet's LSTMBias initializer), 0 elsewhere.

import { Activation, FullyConnected, SliceChannel, _plus } from '../creators.js';
import { pyFloat } from '../pyrepr.js';
import type { Symbol } from '../symbol.js';
import { GatedCell } from './gated-cell.js';
import { initDesc } from './init-desc.js';
import { mul } from './ops.js';
import type { RNNParams } from './params.js';

export interface LSTMCellOptions {
  prefix?: string;
  params?: RNNParams;
  /** Added to the forget gate's bias at initialization. Default 1. */
  forgetBias?: number;
}

// The `__init__` of an LSTM i2h bias: MXNet's `LSTMBias(forget_bias)`.
const lstmBiasInit = (forgetBias: number): string => initDesc('lstmbias', [['forget_bias', pyFloat(forgetBias)]]);

export class LSTMCell extends GatedCell {
  constructor(numHidden: number, opts: LSTMCellOptions = {}) {
    super(numHidden, opts.prefix ?? 'lstm_', opts.params, lstmBiasInit(opts.forgetBias ?? 1));
  }

  get gateNames(): readonly string[] {
    return ['_i', '_f', '_c', '_o'];
  }

  protected get numStates(): number {
    return 2;
  }

  step(inputs: Symbol, states: readonly Symbol[]): [Symbol, Symbol[]] {
    const name = this.beginStep(states);
    const h4 = this.numHidden * 4;
    const i2h = FullyConnected({ data: inputs, weight: this.i2hWeight, bias: this.i2hBias, numHidden: h4, name: `${name}i2h` });
    const h2h = FullyConnected({
      data: states[0]!,
      weight: this.h2hWeight,
      bias: this.h2hBias,
      numHidden: h4,
      name: `${name}h2h`,
    });
    const gates = SliceChannel({ data: _plus({ lhs: i2h, rhs: h2h }), numOutputs: 4, name: `${name}slice` });
    const inGate = Activation({ data: gates.at(0), actType: 'sigmoid', name: `${name}i` });
    const forgetGate = Activation({ data: gates.at(1), actType: 'sigmoid', name: `${name}f` });
    const inTransform = Activation({ data: gates.at(2), actType: 'tanh', name: `${name}c` });
    const outGate = Activation({ data: gates.at(3), actType: 'sigmoid', name: `${name}o` });
    const nextC = _plus({ lhs: mul(forgetGate, states[1]!), rhs: mul(inGate, inTransform), name: `${name}state` });
    const nextH = mul(outGate, Activation({ data: nextC, actType: 'tanh' }), `${name}out`);
    return [nextH, [nextH, nextC]];
  }
}
