// The one place that makes, loads and checkpoints the language model's module (a BucketingModule
// over the LM's symGen), so the commands share one way of doing each.

import { type BaseModule, BucketingModule, type Logger } from '@bkt/module';
import type { Context } from '@bkt/ndarray';
import type { LMSymGen } from './model.js';
import { runFilesOf } from './run-files.js';

export interface LMModuleOptions {
  context: Context[];
  logger: Logger;
  /** MXNet's AMP in bfloat16 (see @bkt/module's ModuleOptions.amp); default float32. */
  amp?: 'bfloat16' | null;
}

// BucketingModule's SymGen takes any bucket key; the LM's keys are sequence lengths.
const keyed = (symGen: LMSymGen) => (key: unknown) => symGen(key as number);

/** A fresh module for symGen with defaultBucketKey as its largest bucket. */
export function createLMModule(symGen: LMSymGen, defaultBucketKey: number, o: LMModuleOptions): BaseModule {
  return new BucketingModule(keyed(symGen), { defaultBucketKey, context: o.context, logger: o.logger, amp: o.amp ?? null });
}

/** The module of a checkpoint written by saveLMCheckpoint (bind it next). */
export function loadLMModule(
  prefix: string,
  epoch: number,
  symGen: LMSymGen,
  defaultBucketKey: number,
  o: LMModuleOptions & { loadOptimizerStates?: boolean },
): BaseModule {
  return BucketingModule.load(prefix, epoch, {
    symGen: keyed(symGen),
    defaultBucketKey,
    context: o.context,
    logger: o.logger,
    amp: o.amp ?? null,
    loadOptimizerStates: o.loadOptimizerStates ?? false,
  });
}

/**
 * Writes every bucket's symbol, the parameters, the optimizer states and last the manifest of
 * `<prefix>-<epoch>`, which also checks the run files (saved when training started).
 */
export function saveLMCheckpoint(mod: BaseModule, prefix: string, epoch: number): void {
  (mod as BucketingModule).saveCheckpoint(prefix, epoch, true, { extraFiles: runFilesOf(prefix) });
}
