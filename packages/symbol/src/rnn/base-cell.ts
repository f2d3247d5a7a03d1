// MXNet's mx.rnn.BaseRNNCell: a recurrent cell that builds the symbols of one time step (`step`,
// Python's `__call__`) and of a whole sequence (`unroll`), names its nodes `<prefix>t<step>_...`
// and keeps its weights in an RNNParams container under MXNet's names, so that checkpoints
// interchange with MXNet.

import { ValueError, type DType } from '@bkt/ndarray/core';
import { Concat, split, zeros } from '../creators.js';
import { Symbol } from '../symbol.js';
import { Variable, type VariableOptions } from '../variable.js';
import { expandDims } from './ops.js';
import { RNNParams } from './params.js';
import type { Weight, WeightDict } from './weights.js';

/** Where the time axis of a sequence is: (batch, time, features) or (time, batch, features). */
export type Layout = 'NTC' | 'TNC';

/** One state of a cell: its shape (0 for the batch axis, left to inference) and `__layout__`. */
export interface StateInfo {
  readonly shape: readonly number[];
  readonly layout: string;
}

/** What MXNet's `begin_state(func, **kwargs)` passes on to `func` besides name, shape and layout. */
export interface StateOptions {
  dtype?: DType;
  /** Initializer of variable states (`variableState` only). */
  init?: VariableOptions['init'];
}

/** Makes the symbol of a begin state (MXNet's `begin_state(func=...)`). */
export type StateFunc = (name: string, info: StateInfo, opts: StateOptions) => Symbol;

/** MXNet's default, `symbol.zeros`: zeros (float32 unless `dtype`) whose batch size comes from the graph. */
export const zerosState: StateFunc = (name, info, opts) => {
  if (opts.init !== undefined) throw new ValueError(`begin state '${name}': zeros take no initializer (use variableState)`);
  return zeros({ name, shape: [...info.shape], ...(opts.dtype ? { dtype: opts.dtype } : {}), attr: { __layout__: info.layout } });
};

/** `symbol.Variable`: states fed from outside, e.g. a Module's state_names. */
export const variableState: StateFunc = (name, info, opts) =>
  Variable(name, { shape: info.shape, dtype: opts.dtype, init: opts.init, attr: { __layout__: info.layout } });

export interface UnrollOptions {
  /** The states to start from (flat, as `beginState()` returns them); `beginState()` when absent. */
  beginState?: readonly Symbol[];
  /** Layout of `inputs` when it is one symbol, and of merged outputs. Default 'NTC'. */
  layout?: Layout;
  /** true: one symbol stacked on the time axis; false: one symbol per step; absent: what the cell makes. */
  mergeOutputs?: boolean;
}

export interface UnrollResult<O> {
  outputs: O;
  /** The final states, flat (in `stateInfo` order). */
  states: Symbol[];
}

/** UnrollOptions with the layout resolved, as subclasses receive them. */
export interface UnrollSpec {
  beginState?: readonly Symbol[] | undefined;
  layout: Layout;
  mergeOutputs?: boolean | undefined;
}

export const MODIFIED_MESSAGE =
  'After applying modifier cells (e.g. ZoneoutCell) the base cell cannot be called directly. Call the modifier cell instead.';

/**
 * MXNet's _normalize_sequence: a sequence as one symbol (merge true: per-step symbols stacked on
 * the time axis) or as a list of per-step symbols (merge false: one symbol split along it);
 * merge undefined keeps what was given.
 */
export function normalizeSequence(
  length: number,
  inputs: Symbol | readonly Symbol[],
  layout: Layout,
  merge: boolean | undefined,
): Symbol | Symbol[] {
  const axis = layout.indexOf('T');
  if (inputs instanceof Symbol) {
    if (merge !== false) return inputs;
    if (inputs.numOutputs !== 1) {
      throw new ValueError('unroll: a grouped symbol is not a sequence; pass a list of symbols, or one symbol to split');
    }
    const parts = split({ data: inputs, axis, numOutputs: length, squeezeAxis: true });
    return Array.from({ length }, (_, i) => parts.at(i));
  }
  if (inputs.length !== length) throw new ValueError(`unroll: ${inputs.length} inputs for length ${length}`);
  if (merge !== true) return [...inputs];
  return Concat({ data: inputs.map((s) => expandDims(s, axis)), dim: axis });
}

export abstract class BaseRNNCell {
  readonly prefix: string;
  /** Set by a modifier cell (Zoneout, Residual) wrapping this one: use the modifier instead. */
  modified = false;
  private readonly store: RNNParams;
  private readonly ownStore: boolean;
  /** The step being built (Python's `_counter`), -1 before the first. */
  protected counter = -1;
  private initCounter = -1;

  constructor(prefix = '', params?: RNNParams) {
    this.prefix = prefix;
    this.ownStore = params === undefined;
    this.store = params ?? new RNNParams(prefix);
  }

  /** True when the cell made its own RNNParams (it was given none). */
  get ownsParams(): boolean {
    return this.ownStore;
  }

  /** The variables of this cell (and of the cells it contains). */
  get params(): RNNParams {
    return this.store;
  }

  /** Shape and layout of each state. */
  abstract get stateInfo(): StateInfo[];

  get stateShape(): number[][] {
    return this.stateInfo.map((s) => [...s.shape]);
  }

  /** The cells inside this one, which `reset` resets too. */
  protected get children(): readonly BaseRNNCell[] {
    return [];
  }

  /** Forgets the step and begin-state counters, before building another graph with this cell. */
  reset(): void {
    this.counter = -1;
    this.initCounter = -1;
    for (const c of this.children) c.reset();
  }

  /** The initial states, named `<prefix>begin_state_<n>` (n counts on until `reset`). */
  beginState(func: StateFunc = zerosState, opts: StateOptions = {}): Symbol[] {
    if (this.modified) throw new ValueError(MODIFIED_MESSAGE);
    return this.stateInfo.map((info) => {
      this.initCounter += 1;
      return func(`${this.prefix}begin_state_${this.initCounter}`, info, opts);
    });
  }

  /** One time step: the output and the next states (MXNet's `cell(inputs, states)`). */
  abstract step(inputs: Symbol, states: readonly Symbol[]): [Symbol, Symbol[]];

  /**
   * The cell over `length` steps. `inputs` is one symbol (batch, length, ...) for layout NTC or
   * (length, batch, ...) for TNC, or a list of `length` symbols (batch, ...).
   */
  unroll(length: number, inputs: Symbol | readonly Symbol[], opts: UnrollOptions & { mergeOutputs: true }): UnrollResult<Symbol>;
  unroll(
    length: number,
    inputs: Symbol | readonly Symbol[],
    opts: UnrollOptions & { mergeOutputs: false },
  ): UnrollResult<Symbol[]>;
  unroll(length: number, inputs: Symbol | readonly Symbol[], opts?: UnrollOptions): UnrollResult<Symbol | Symbol[]>;
  unroll(length: number, inputs: Symbol | readonly Symbol[], opts: UnrollOptions = {}): UnrollResult<Symbol | Symbol[]> {
    if (!Number.isInteger(length) || length < 1) throw new ValueError(`unroll: length must be a positive integer, got ${length}`);
    const layout = opts.layout ?? 'NTC';
    if (layout !== 'NTC' && layout !== 'TNC')
      throw new ValueError(`unroll: layout must be 'NTC' or 'TNC', got '${String(layout)}'`);
    return this.unrollImpl(length, inputs, { beginState: opts.beginState, layout, mergeOutputs: opts.mergeOutputs });
  }

  /** Steps the cell over the sequence; cells that cannot step, or need not, override this. */
  protected unrollImpl(length: number, inputs: Symbol | readonly Symbol[], o: UnrollSpec): UnrollResult<Symbol | Symbol[]> {
    this.reset();
    const steps = normalizeSequence(length, inputs, o.layout, false) as Symbol[];
    let states = [...(o.beginState ?? this.beginState())];
    const outputs: Symbol[] = [];
    for (const x of steps) {
      const [out, next] = this.step(x, states);
      outputs.push(out);
      states = next;
    }
    return { outputs: normalizeSequence(length, outputs, o.layout, o.mergeOutputs), states };
  }

  /**
   * Fused weights split into per-gate arrays (`<prefix>i2h_weight` → `<prefix>i2h_i_weight`, ...),
   * as MXNet's unpack_weights; arrays of other cells pass through. Returns a new dict.
   */
  unpackWeights(args: WeightDict): Record<string, Weight> {
    return { ...args };
  }

  /** The inverse of unpackWeights. Returns a new dict. */
  packWeights(args: WeightDict): Record<string, Weight> {
    return { ...args };
  }
}
