// MXNet's ModifierCell: the base of cells that wrap another cell (ZoneoutCell, ResidualCell),
// which from then on is driven through the wrapper only. Its states and weights are the base
// cell's. Unlike MXNet, reset() also resets the base cell, so that a wrapped cell reused across
// graphs (bucketing) numbers its steps from t0 each time.

import { ValueError } from '@bkt/ndarray/core';
import type { Symbol } from '../symbol.js';
import { BaseRNNCell, MODIFIED_MESSAGE, zerosState, type StateFunc, type StateOptions, type StateInfo } from './base-cell.js';
import type { RNNParams } from './params.js';
import type { Weight, WeightDict } from './weights.js';

export abstract class ModifierCell extends BaseRNNCell {
  readonly baseCell: BaseRNNCell;

  constructor(baseCell: BaseRNNCell) {
    super();
    baseCell.modified = true;
    this.baseCell = baseCell;
  }

  override get params(): RNNParams {
    return this.baseCell.params;
  }

  override get ownsParams(): boolean {
    return this.baseCell.ownsParams;
  }

  get stateInfo(): StateInfo[] {
    return this.baseCell.stateInfo;
  }

  protected override get children(): readonly BaseRNNCell[] {
    return [this.baseCell];
  }

  override beginState(func: StateFunc = zerosState, opts: StateOptions = {}): Symbol[] {
    if (this.modified) throw new ValueError(MODIFIED_MESSAGE);
    this.baseCell.modified = false;
    try {
      return this.baseCell.beginState(func, opts);
    } finally {
      this.baseCell.modified = true;
    }
  }

  override unpackWeights(args: WeightDict): Record<string, Weight> {
    return this.baseCell.unpackWeights(args);
  }

  override packWeights(args: WeightDict): Record<string, Weight> {
    return this.baseCell.packWeights(args);
  }
}
