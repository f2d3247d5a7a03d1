// MXNet's Updater (mx.optimizer.get_updater): applies an optimizer to parameters by key, creating each
// parameter's state on its first update, and saves / restores those states with the optimizer's
// counters so a resumed run continues exactly where it stopped. KVStores and modules use it.
import { FormatError, type NDArray, ValueError } from '@bkt/ndarray';

import type { Optimizer, OptimizerState, ParamKey } from './optimizer.js';
import { decodeStates, encodeStates } from './state-format.js';

export class Updater {
  /** Each parameter's state, created lazily by the optimizer. */
  readonly states = new Map<ParamKey, OptimizerState>();

  constructor(readonly optimizer: Optimizer) {}

  /**
   * Updates `weight` in place from `grad` (MXNet's updater(index, grad, weight)). Given lists, updates
   * all of them with one native call per kind of fused update (see Optimizer.update).
   */
  update(index: ParamKey, grad: NDArray, weight: NDArray): void;
  update(indices: readonly ParamKey[], grads: readonly NDArray[], weights: readonly NDArray[]): void;
  update(index: ParamKey | readonly ParamKey[], grad: NDArray | readonly NDArray[], weight: NDArray | readonly NDArray[]): void {
    if (!Array.isArray(index)) {
      this.optimizer.update(
        index as ParamKey,
        weight as NDArray,
        grad as NDArray,
        this.stateFor(index as ParamKey, weight as NDArray),
      );
      return;
    }
    const weights = weight as readonly NDArray[];
    if (!Array.isArray(weights) || weights.length !== index.length) {
      throw new ValueError(
        `update: ${index.length} indices need as many weights, got ${Array.isArray(weights) ? weights.length : typeof weights}`,
      );
    }
    const states = index.map((k, i) => this.stateFor(k, weights[i]!));
    this.optimizer.update(index, weights, grad as readonly NDArray[], states);
  }

  /** The state of `index`, created on its first update, on the weight's context. */
  private stateFor(index: ParamKey, weight: NDArray): OptimizerState {
    let state = this.states.get(index);
    if (state === undefined) {
      state = this.optimizer.createStateMultiPrecision(index, weight);
      this.states.set(index, state);
    } else {
      moveToContext(state, weight);
    }
    return state;
  }

  /**
   * The states, the per-parameter update counts and the optimizer's own numbers (learning rate,
   * scheduler position ...) in bkt's binary state format (see state-format.ts and the README).
   */
  getStates(): Uint8Array {
    return encodeStates({
      optimizer: this.optimizer.name,
      counts: [...this.optimizer.indexUpdateCount],
      scalars: Object.entries(this.optimizer.stateScalars()),
      entries: [...this.states],
    });
  }

  /**
   * Replaces the states with those in `bytes` and restores the optimizer's counters. The bytes must
   * come from the same kind of optimizer (a FormatError otherwise); malformed bytes are a FormatError
   * and leave the updater unchanged.
   */
  setStates(bytes: Uint8Array): void {
    if (!(bytes instanceof Uint8Array)) throw new FormatError('setStates: bytes must be a Uint8Array');
    const saved = decodeStates(bytes);
    if (saved.optimizer !== this.optimizer.name) {
      for (const [, s] of saved.entries) [s.master, ...s.arrays].forEach((a) => a?.dispose());
      throw new FormatError(
        `setStates: the states were saved by optimizer '${saved.optimizer}', this updater runs '${this.optimizer.name}'`,
      );
    }
    this.disposeStates();
    for (const [key, state] of saved.entries) this.states.set(key, state);
    this.optimizer.indexUpdateCount.clear();
    for (const [key, count] of saved.counts) this.optimizer.indexUpdateCount.set(key, count);
    this.optimizer.loadStateScalars(Object.fromEntries(saved.scalars));
  }

  /** Frees every state array now. */
  dispose(): void {
    this.disposeStates();
  }

  private disposeStates(): void {
    for (const s of this.states.values()) [s.master, ...s.arrays].forEach((a) => a?.dispose());
    this.states.clear();
  }
}

// Restored states land on cpu(0); like MXNet's sync_state_context they follow the weight's device.
function moveToContext(state: OptimizerState, weight: NDArray): void {
  const move = (a: NDArray): NDArray => {
    if (a.context.equals(weight.context)) return a;
    const moved = a.copyTo(weight.context);
    a.dispose();
    return moved;
  };
  if (state.master !== null) state.master = move(state.master);
  state.arrays = state.arrays.map(move);
}

/** MXNet's get_updater: an Updater running `optimizer`. */
export function getUpdater(optimizer: Optimizer): Updater {
  return new Updater(optimizer);
}
