// MXNet's SequentialRNNCell: cells stacked, each one's outputs the next one's inputs; the states
// are the children's, concatenated.

import { ValueError } from '@bkt/ndarray/core';
import type { Symbol } from '../symbol.js';
import {
  BaseRNNCell,
  MODIFIED_MESSAGE,
  zerosState,
  type StateFunc,
  type StateInfo,
  type StateOptions,
  type UnrollResult,
  type UnrollSpec,
} from './base-cell.js';
import { BidirectionalCell } from './bidirectional-cell.js';
import type { RNNParams } from './params.js';
import type { Weight, WeightDict } from './weights.js';

export class SequentialRNNCell extends BaseRNNCell {
  private readonly list: BaseRNNCell[] = [];
  private readonly collects: boolean;

  /** `params`: a container that collects the children's variables; they must then own theirs. */
  constructor(params?: RNNParams) {
    super('', params);
    this.collects = params !== undefined;
  }

  get cells(): readonly BaseRNNCell[] {
    return this.list;
  }

  protected override get children(): readonly BaseRNNCell[] {
    return this.list;
  }

  /** Appends a cell; its inputs are the previous cell's outputs. */
  add(cell: BaseRNNCell): this {
    if (this.collects && !cell.ownsParams)
      throw new ValueError('Either specify params for SequentialRNNCell or child cells, not both.');
    this.list.push(cell);
    this.params.update(cell.params);
    return this;
  }

  get stateInfo(): StateInfo[] {
    return this.list.flatMap((c) => c.stateInfo);
  }

  override beginState(func: StateFunc = zerosState, opts: StateOptions = {}): Symbol[] {
    if (this.modified) throw new ValueError(MODIFIED_MESSAGE);
    return this.list.flatMap((c) => c.beginState(func, opts));
  }

  step(inputs: Symbol, states: readonly Symbol[]): [Symbol, Symbol[]] {
    this.counter += 1;
    let x = inputs;
    let at = 0;
    const next: Symbol[] = [];
    for (const cell of this.list) {
      if (cell instanceof BidirectionalCell)
        throw new ValueError('SequentialRNNCell: a BidirectionalCell cannot be stepped; unroll instead');
      const n = cell.stateInfo.length;
      const [out, st] = cell.step(x, states.slice(at, at + n));
      at += n;
      x = out;
      next.push(...st);
    }
    return [x, next];
  }

  // Inner cells produce whatever suits them; only the last one is asked for the caller's merge.
  protected override unrollImpl(
    length: number,
    inputs: Symbol | readonly Symbol[],
    o: UnrollSpec,
  ): UnrollResult<Symbol | Symbol[]> {
    this.reset();
    const begin = o.beginState ?? this.beginState();
    let x: Symbol | readonly Symbol[] = inputs;
    let at = 0;
    const states: Symbol[] = [];
    this.list.forEach((cell, i) => {
      const n = cell.stateInfo.length;
      const last = i === this.list.length - 1;
      const r = cell.unroll(length, x, {
        beginState: begin.slice(at, at + n),
        layout: o.layout,
        mergeOutputs: last ? o.mergeOutputs : undefined,
      });
      at += n;
      x = r.outputs;
      states.push(...r.states);
    });
    return { outputs: Array.isArray(x) ? [...x] : (x as Symbol), states };
  }

  override unpackWeights(args: WeightDict): Record<string, Weight> {
    return this.list.reduce<Record<string, Weight>>((acc, c) => c.unpackWeights(acc), { ...args });
  }

  override packWeights(args: WeightDict): Record<string, Weight> {
    return this.list.reduce<Record<string, Weight>>((acc, c) => c.packWeights(acc), { ...args });
  }
}
