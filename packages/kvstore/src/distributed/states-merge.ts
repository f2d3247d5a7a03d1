// The optimizer states of a dist_async job live on its servers, each holding those of its own keys.
// Saving gathers them into one file of @bkt/optimizer's format (the same a one-process run writes);
// loading sends that file to every server, which keeps the part of its own keys.
import { getUpdater, type Updater } from '@bkt/optimizer';

import type { KVKey } from '../arguments.js';
import { type OptimizerWire, rebuildOptimizer } from './optimizer-wire.js';

/**
 * One states file from the servers' parts (their keys are disjoint): every key's state and update
 * count, and the optimizer's numbers (rate, update count, scheduler position) of the server furthest along.
 */
export function mergeServerStates(wire: OptimizerWire, parts: readonly Uint8Array[]): Uint8Array {
  const merged = getUpdater(rebuildOptimizer(wire));
  try {
    let furthest = -1;
    for (const bytes of parts) {
      const part = getUpdater(rebuildOptimizer(wire));
      part.setStates(bytes);
      for (const [key, state] of part.states) merged.states.set(key, state);
      part.states.clear(); // the arrays now belong to merged
      for (const [key, count] of part.optimizer.indexUpdateCount) merged.optimizer.indexUpdateCount.set(key, count);
      if (part.optimizer.numUpdate > furthest) {
        furthest = part.optimizer.numUpdate;
        merged.optimizer.loadStateScalars(part.optimizer.stateScalars());
      }
    }
    return merged.getStates();
  } finally {
    merged.dispose();
  }
}

/** Drops from a server's updater, after it loaded a whole states file, what belongs to other servers' keys. */
export function keepOwnStates(updater: Updater, isMine: (key: KVKey) => boolean): void {
  for (const [key, state] of updater.states) {
    if (isMine(key)) continue;
    [state.master, ...state.arrays].forEach((a) => a?.dispose());
    updater.states.delete(key);
  }
  for (const key of [...updater.optimizer.indexUpdateCount.keys()])
    if (!isMine(key)) updater.optimizer.indexUpdateCount.delete(key);
}
