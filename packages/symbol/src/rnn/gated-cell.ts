// What RNNCell, LSTMCell and GRUCell share: num_hidden, one input-to-hidden and one
// hidden-to-hidden FullyConnected whose rows stack the gates (`i2h_weight` (gates·H, input),
// `h2h_weight` (gates·H, H), biases of gates·H), and states of shape (batch, H).

import { ValueError } from '@bkt/ndarray/core';
import type { Symbol } from '../symbol.js';
import { BaseRNNCell, type StateInfo } from './base-cell.js';
import type { RNNParams } from './params.js';
import { joinRows, splitRows, take, type Weight, type WeightDict } from './weights.js';

const GROUPS = ['i2h', 'h2h'] as const;

export abstract class GatedCell extends BaseRNNCell {
  readonly numHidden: number;
  protected readonly i2hWeight: Symbol;
  protected readonly i2hBias: Symbol;
  protected readonly h2hWeight: Symbol;
  protected readonly h2hBias: Symbol;

  /** `i2hBiasInit`: the `__init__` of the i2h bias (LSTMCell's forget-gate bias). */
  constructor(numHidden: number, prefix: string, params: RNNParams | undefined, i2hBiasInit?: string) {
    super(prefix, params);
    if (!Number.isInteger(numHidden) || numHidden < 1) {
      throw new ValueError(`${new.target.name}: num_hidden must be a positive integer, got ${numHidden}`);
    }
    this.numHidden = numHidden;
    this.i2hWeight = this.params.get('i2h_weight');
    this.i2hBias = this.params.get('i2h_bias', i2hBiasInit === undefined ? {} : { init: i2hBiasInit });
    this.h2hWeight = this.params.get('h2h_weight');
    this.h2hBias = this.params.get('h2h_bias');
  }

  /** The gates stacked in the weights, in row order (MXNet's `_gate_names`). */
  abstract get gateNames(): readonly string[];

  /** Number of states, each (batch, num_hidden). */
  protected abstract get numStates(): number;

  get stateInfo(): StateInfo[] {
    return Array.from({ length: this.numStates }, () => ({ shape: [0, this.numHidden], layout: 'NC' }));
  }

  /** Checks the states of a step and names it: `<prefix>t<step>_`, after advancing the step counter. */
  protected beginStep(states: readonly Symbol[]): string {
    if (states.length !== this.numStates) {
      throw new ValueError(
        `${this.constructor.name} '${this.prefix}': a step takes ${this.numStates} states, got ${states.length}`,
      );
    }
    this.counter += 1;
    return `${this.prefix}t${this.counter}_`;
  }

  override unpackWeights(args: WeightDict): Record<string, Weight> {
    const out = { ...args };
    for (const group of GROUPS) {
      for (const kind of ['weight', 'bias']) {
        const name = `${this.prefix}${group}_${kind}`;
        splitRows(name, take(out, name), this.gateNames.length).forEach((w, j) => {
          out[`${this.prefix}${group}${this.gateNames[j]}_${kind}`] = w;
        });
      }
    }
    return out;
  }

  override packWeights(args: WeightDict): Record<string, Weight> {
    const out = { ...args };
    for (const group of GROUPS) {
      for (const kind of ['weight', 'bias']) {
        const name = `${this.prefix}${group}_${kind}`;
        out[name] = joinRows(
          name,
          this.gateNames.map((g) => take(out, `${this.prefix}${group}${g}_${kind}`)),
        );
      }
    }
    return out;
  }
}
