// MXNet's ZoneoutCell: while training, each output and state element keeps its previous value
// with probability zoneout_outputs / zoneout_states (the mask is Dropout of ones; the previous
// output starts as zeros). It steps the base cell, so Fused and Bidirectional cells are refused.

import { ValueError } from '@bkt/ndarray/core';
import { Dropout, zeros } from '../creators.js';
import type { Symbol } from '../symbol.js';
import type { BaseRNNCell } from './base-cell.js';
import { BidirectionalCell } from './bidirectional-cell.js';
import { FusedRNNCell } from './fused-rnn-cell.js';
import { ModifierCell } from './modifier-cell.js';
import { onesLike, where } from './ops.js';
import { SequentialRNNCell } from './sequential-cell.js';

export interface ZoneoutCellOptions {
  /** Probability that an output element keeps its previous value. Default 0. */
  zoneoutOutputs?: number;
  /** Probability that a state element keeps its previous value. Default 0. */
  zoneoutStates?: number;
}

export class ZoneoutCell extends ModifierCell {
  readonly zoneoutOutputs: number;
  readonly zoneoutStates: number;
  private prevOutput: Symbol | undefined;

  constructor(baseCell: BaseRNNCell, opts: ZoneoutCellOptions = {}) {
    if (baseCell instanceof FusedRNNCell) throw new ValueError("FusedRNNCell doesn't support zoneout. Please unfuse first.");
    if (baseCell instanceof BidirectionalCell) {
      throw new ValueError(
        "BidirectionalCell doesn't support zoneout since it doesn't support step. Please add ZoneoutCell to the cells underneath instead.",
      );
    }
    if (baseCell instanceof SequentialRNNCell && baseCell.cells.some((c) => c instanceof BidirectionalCell)) {
      throw new ValueError(
        "Bidirectional SequentialRNNCell doesn't support zoneout. Please add ZoneoutCell to the cells underneath instead.",
      );
    }
    super(baseCell);
    this.zoneoutOutputs = opts.zoneoutOutputs ?? 0;
    this.zoneoutStates = opts.zoneoutStates ?? 0;
  }

  override reset(): void {
    super.reset();
    this.prevOutput = undefined;
  }

  step(inputs: Symbol, states: readonly Symbol[]): [Symbol, Symbol[]] {
    const [nextOutput, nextStates] = this.baseCell.step(inputs, states);
    const mask = (p: number, like: Symbol): Symbol => Dropout({ data: onesLike(like), p });
    let output = nextOutput;
    if (this.zoneoutOutputs !== 0) {
      const prev = this.prevOutput ?? zeros({ shape: [0, 0] });
      output = where(mask(this.zoneoutOutputs, nextOutput), nextOutput, prev);
    }
    const next =
      this.zoneoutStates !== 0 ? nextStates.map((s, i) => where(mask(this.zoneoutStates, s), s, states[i]!)) : nextStates;
    this.prevOutput = output;
    return [output, next];
  }
}
