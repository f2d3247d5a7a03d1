// MXNet's GRUCell, the cuDNN variant: gates in row order r, z, n; r = σ(i2h_r + h2h_r),
// z = σ(i2h_z + h2h_z), n = tanh(i2h_n + r·h2h_n), h' = (1 - z)·n + z·h. Its step nodes carry a
// doubled underscore (`gru_t0__i2h`), as MXNet names them.

import { Activation, FullyConnected, SliceChannel, _plus } from '../creators.js';
import type { Symbol } from '../symbol.js';
import { GatedCell } from './gated-cell.js';
import { mul, rminusScalar } from './ops.js';
import type { RNNParams } from './params.js';

export interface GRUCellOptions {
  prefix?: string;
  params?: RNNParams;
}

export class GRUCell extends GatedCell {
  constructor(numHidden: number, opts: GRUCellOptions = {}) {
    super(numHidden, opts.prefix ?? 'gru_', opts.params);
  }

  get gateNames(): readonly string[] {
    return ['_r', '_z', '_o'];
  }

  protected get numStates(): number {
    return 1;
  }

  step(inputs: Symbol, states: readonly Symbol[]): [Symbol, Symbol[]] {
    const name = this.beginStep(states);
    const h3 = this.numHidden * 3;
    const prev = states[0]!;
    const i2h = FullyConnected({ data: inputs, weight: this.i2hWeight, bias: this.i2hBias, numHidden: h3, name: `${name}_i2h` });
    const h2h = FullyConnected({ data: prev, weight: this.h2hWeight, bias: this.h2hBias, numHidden: h3, name: `${name}_h2h` });
    const i = SliceChannel({ data: i2h, numOutputs: 3, name: `${name}_i2h_slice` });
    const hh = SliceChannel({ data: h2h, numOutputs: 3, name: `${name}_h2h_slice` });
    const reset = Activation({ data: _plus({ lhs: i.at(0), rhs: hh.at(0) }), actType: 'sigmoid', name: `${name}_r_act` });
    const update = Activation({ data: _plus({ lhs: i.at(1), rhs: hh.at(1) }), actType: 'sigmoid', name: `${name}_z_act` });
    const candidate = Activation({
      data: _plus({ lhs: i.at(2), rhs: mul(reset, hh.at(2)) }),
      actType: 'tanh',
      name: `${name}_h_act`,
    });
    const next = _plus({ lhs: mul(rminusScalar(update, 1), candidate), rhs: mul(update, prev), name: `${name}out` });
    return [next, [next]];
  }
}
