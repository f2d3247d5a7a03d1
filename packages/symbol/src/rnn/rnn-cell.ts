// MXNet's RNNCell: h' = act(i2h(x) + h2h(h)), act tanh or relu.

import { Activation, FullyConnected, _plus } from '../creators.js';
import type { ActivationParams } from '../ops/activation.js';
import type { Symbol } from '../symbol.js';
import { GatedCell } from './gated-cell.js';
import type { RNNParams } from './params.js';

export interface RNNCellOptions {
  activation?: ActivationParams['actType'];
  prefix?: string;
  params?: RNNParams;
}

export class RNNCell extends GatedCell {
  readonly activation: ActivationParams['actType'];

  constructor(numHidden: number, opts: RNNCellOptions = {}) {
    super(numHidden, opts.prefix ?? 'rnn_', opts.params);
    this.activation = opts.activation ?? 'tanh';
  }

  get gateNames(): readonly string[] {
    return [''];
  }

  protected get numStates(): number {
    return 1;
  }

  step(inputs: Symbol, states: readonly Symbol[]): [Symbol, Symbol[]] {
    const name = this.beginStep(states);
    const h = this.numHidden;
    const i2h = FullyConnected({ data: inputs, weight: this.i2hWeight, bias: this.i2hBias, numHidden: h, name: `${name}i2h` });
    const h2h = FullyConnected({
      data: states[0]!,
      weight: this.h2hWeight,
      bias: this.h2hBias,
      numHidden: h,
      name: `${name}h2h`,
    });
    const output = Activation({ data: _plus({ lhs: i2h, rhs: h2h }), actType: this.activation, name: `${name}out` });
    return [output, [output]];
  }
}
