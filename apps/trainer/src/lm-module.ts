// The one place that makes, loads and checkpoints the language model's module, so the commands
// never depend on which Module class serves the buckets.
// INTERIM until BucketingModule is on main: a plain Module bound at the default (largest) bucket;
// the commands then use one bucket only (see `singleBucketOnly`).

import { type BaseModule, type Logger, Module } from '@bkt/module';
import { type Context } from '@bkt/ndarray';
import type { LMSymGen } from './model.js';

export interface LMModuleOptions {
  context: Context[];
  logger: Logger;
}

/** True while the module class cannot switch buckets: every batch must have the default length. */
export const singleBucketOnly = true;

/** A fresh module for symGen with defaultBucketKey as its largest bucket. */
export function createLMModule(symGen: LMSymGen, defaultBucketKey: number, o: LMModuleOptions): BaseModule {
  return new Module(symGen(defaultBucketKey)[0], { context: o.context, logger: o.logger });
}

/** The module of a checkpoint written by saveLMCheckpoint (bind it next). */
export function loadLMModule(prefix: string, epoch: number, _symGen: LMSymGen, _defaultBucketKey: number, o: LMModuleOptions & { loadOptimizerStates?: boolean }): BaseModule {
  return Module.load(prefix, epoch, { context: o.context, logger: o.logger, loadOptimizerStates: o.loadOptimizerStates ?? false });
}

/** Writes the symbol(s), the parameters and the optimizer states as `<prefix>-<epoch>`. */
export function saveLMCheckpoint(mod: BaseModule, prefix: string, epoch: number): void {
  (mod as Module).saveCheckpoint(prefix, epoch, true);
}
