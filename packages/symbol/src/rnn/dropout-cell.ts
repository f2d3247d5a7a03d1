// MXNet's DropoutCell: Dropout on its input, no state. Applied once to a merged sequence, or per
// step to a list.

import { ValueError } from '@bkt/ndarray/core';
import { Dropout } from '../creators.js';
import { Symbol } from '../symbol.js';
import { BaseRNNCell, normalizeSequence, type StateInfo, type UnrollResult, type UnrollSpec } from './base-cell.js';
import type { RNNParams } from './params.js';

export interface DropoutCellOptions {
  prefix?: string;
  params?: RNNParams;
}

export class DropoutCell extends BaseRNNCell {
  /** The fraction dropped; 0 passes the input through. */
  readonly dropout: number;

  constructor(dropout: number, opts: DropoutCellOptions = {}) {
    super(opts.prefix ?? 'dropout_', opts.params);
    if (typeof dropout !== 'number' || !(dropout >= 0 && dropout <= 1)) {
      throw new ValueError(`DropoutCell: dropout must be a number in [0, 1], got ${String(dropout)}`);
    }
    this.dropout = dropout;
  }

  get stateInfo(): StateInfo[] {
    return [];
  }

  step(inputs: Symbol, states: readonly Symbol[]): [Symbol, Symbol[]] {
    return [this.dropout > 0 ? Dropout({ data: inputs, p: this.dropout }) : inputs, [...states]];
  }

  protected override unrollImpl(
    length: number,
    inputs: Symbol | readonly Symbol[],
    o: UnrollSpec,
  ): UnrollResult<Symbol | Symbol[]> {
    this.reset();
    const seq = normalizeSequence(length, inputs, o.layout, o.mergeOutputs);
    if (seq instanceof Symbol) return { outputs: this.step(seq, [])[0], states: [] };
    return super.unrollImpl(length, seq, o);
  }
}
