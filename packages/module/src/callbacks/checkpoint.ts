// MXNet's epoch-end checkpoint callbacks. fit() passes the 0-based epoch; the checkpoint is saved as
// epoch + 1 every `period` epochs.

import { saveCheckpoint } from '../model/checkpoint.js';
import type { EpochEndFn } from './batch-end-param.js';
import type { Logger } from './format.js';

/** What moduleCheckpoint needs of a module. */
export interface CheckpointSaver {
  saveCheckpoint(prefix: string, epoch: number, saveOptimizerStates?: boolean): void;
}

const every = (period: number): number => Math.max(1, Math.trunc(period));

/** Saves symbol and parameters (model.save_checkpoint) every `period` epochs. */
export function doCheckpoint(prefix: string, period = 1, opts: { logger?: Logger } = {}): EpochEndFn {
  const p = every(period);
  return (epoch, symbol, argParams, auxParams) => {
    if ((epoch + 1) % p === 0) saveCheckpoint(prefix, epoch + 1, symbol, argParams, auxParams, opts);
  };
}

/** Calls `mod.saveCheckpoint(prefix, epoch + 1, saveOptimizerStates)` every `period` epochs. */
export function moduleCheckpoint(mod: CheckpointSaver, prefix: string, period = 1, saveOptimizerStates = false): EpochEndFn {
  const p = every(period);
  return (epoch) => {
    if ((epoch + 1) % p === 0) mod.saveCheckpoint(prefix, epoch + 1, saveOptimizerStates);
  };
}
