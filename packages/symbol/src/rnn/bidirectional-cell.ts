// MXNet's BidirectionalCell: one cell over the sequence left to right, the other right to left;
// each step's outputs concatenated on the feature axis (`<output_prefix>t<i>`, or one
// `<output_prefix>out` when merged). Unroll only.
//
// Unlike MXNet, whose unroll returns the states nested as [left states, right states], the states
// here are flat (left then right), like those of every other cell and like `beginState()`, so
// they can be fed back as begin states and stacked in a SequentialRNNCell.

import { ValueError } from '@bkt/ndarray/core';
import { Concat, SliceChannel, reverse } from '../creators.js';
import { Symbol } from '../symbol.js';
import {
  BaseRNNCell,
  MODIFIED_MESSAGE,
  normalizeSequence,
  zerosState,
  type StateFunc,
  type StateOptions,
  type StateInfo,
  type UnrollResult,
  type UnrollSpec,
} from './base-cell.js';
import type { RNNParams } from './params.js';
import type { Weight, WeightDict } from './weights.js';

export interface BidirectionalCellOptions {
  /** A container that collects both cells' variables; they must then own theirs. */
  params?: RNNParams;
  /** Prefix of the output nodes. Default 'bi_'. */
  outputPrefix?: string;
}

export class BidirectionalCell extends BaseRNNCell {
  readonly outputPrefix: string;
  private readonly pair: readonly [BaseRNNCell, BaseRNNCell];

  constructor(lCell: BaseRNNCell, rCell: BaseRNNCell, opts: BidirectionalCellOptions = {}) {
    super('', opts.params);
    if (opts.params && (!lCell.ownsParams || !rCell.ownsParams)) {
      throw new ValueError('Either specify params for BidirectionalCell or child cells, not both.');
    }
    this.params.update(lCell.params);
    this.params.update(rCell.params);
    this.pair = [lCell, rCell];
    this.outputPrefix = opts.outputPrefix ?? 'bi_';
  }

  protected override get children(): readonly BaseRNNCell[] {
    return this.pair;
  }

  get stateInfo(): StateInfo[] {
    return this.pair.flatMap((c) => c.stateInfo);
  }

  override beginState(func: StateFunc = zerosState, opts: StateOptions = {}): Symbol[] {
    if (this.modified) throw new ValueError(MODIFIED_MESSAGE);
    return this.pair.flatMap((c) => c.beginState(func, opts));
  }

  step(): [Symbol, Symbol[]] {
    throw new ValueError('BidirectionalCell cannot be stepped. Please use unroll');
  }

  protected override unrollImpl(
    length: number,
    inputs: Symbol | readonly Symbol[],
    o: UnrollSpec,
  ): UnrollResult<Symbol | Symbol[]> {
    this.reset();
    const axis = o.layout.indexOf('T');
    const steps = normalizeSequence(length, inputs, o.layout, false) as Symbol[];
    const begin = o.beginState ?? this.beginState();
    const [lCell, rCell] = this.pair;
    const nl = lCell.stateInfo.length;
    const opts = { layout: o.layout, mergeOutputs: o.mergeOutputs };
    const left = lCell.unroll(length, steps, { ...opts, beginState: begin.slice(0, nl) });
    const right = rCell.unroll(length, [...steps].reverse(), { ...opts, beginState: begin.slice(nl) });
    const states = [...left.states, ...right.states];

    const merge = o.mergeOutputs ?? (left.outputs instanceof Symbol && right.outputs instanceof Symbol);
    if (merge) {
      const r = reverse({ data: right.outputs as Symbol, axis: [axis] });
      return { outputs: Concat({ data: [left.outputs as Symbol, r], dim: 2, name: `${this.outputPrefix}out` }), states };
    }
    const perStep = (s: Symbol | Symbol[]): Symbol[] => {
      if (!(s instanceof Symbol)) return s;
      const parts = SliceChannel({ data: s, axis, numOutputs: length, squeezeAxis: true });
      return Array.from({ length }, (_, i) => parts.at(i));
    };
    const l = perStep(left.outputs);
    const r = perStep(right.outputs).reverse();
    const outputs = l.map((x, i) => Concat({ data: [x, r[i]!], dim: 1, name: `${this.outputPrefix}t${i}` }));
    return { outputs, states };
  }

  override unpackWeights(args: WeightDict): Record<string, Weight> {
    return this.pair[1].unpackWeights(this.pair[0].unpackWeights(args));
  }

  override packWeights(args: WeightDict): Record<string, Weight> {
    return this.pair[1].packWeights(this.pair[0].packWeights(args));
  }
}
