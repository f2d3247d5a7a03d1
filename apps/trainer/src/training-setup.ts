// The optimizer, its schedule and the initializer from the command-line options.

import { InitDesc, type Initializer, Uniform, Xavier } from '@bkt/module';
import { type NDArray, ValueError } from '@bkt/ndarray';
import {
  CosineScheduler,
  FactorScheduler,
  knownOptimizers,
  type LRScheduler,
  MultiFactorScheduler,
  PolyScheduler,
} from '@bkt/optimizer';
import type { ContextSpec, InitSpec, LrSchedulerSpec, ResumeRef } from './options.js';

export interface OptimizerChoice {
  optimizer: string;
  lr: number;
  momentum: number;
  wd: number;
  clip: number | null;
  lrScheduler: LrSchedulerSpec | null;
}

/** The options every training command (lm, seq2seq) takes besides its model's and data's. */
export interface TrainCommandOptions extends OptimizerChoice {
  batchSize: number;
  epochs: number;
  init: InitSpec;
  contexts: ContextSpec[];
  kvStore: string;
  seed: number;
  checkpoint?: string;
  resume?: ResumeRef;
  log?: string;
  report?: string;
  dispBatches: number;
  threads?: number;
}

/** Optimizers that take a momentum. */
const WITH_MOMENTUM = ['sgd', 'nag', 'signum'];

/** Throws a ValueError for an unknown optimizer or a momentum it does not take. */
export function checkOptimizer(o: OptimizerChoice): void {
  const name = o.optimizer.toLowerCase();
  if (!knownOptimizers().includes(name))
    throw new ValueError(`--optimizer: unknown optimizer '${o.optimizer}'; known: ${knownOptimizers().join(', ')}`);
  if (o.momentum !== 0 && !WITH_MOMENTUM.includes(name))
    throw new ValueError(`--momentum: '${o.optimizer}' takes no momentum (only ${WITH_MOMENTUM.join(', ')} do)`);
}

function scheduler(s: LrSchedulerSpec, baseLr: number): LRScheduler {
  switch (s.kind) {
    case 'factor':
      return new FactorScheduler({ baseLr, step: s.step, factor: s.factor });
    case 'multifactor':
      return new MultiFactorScheduler({ baseLr, step: s.steps, factor: s.factor });
    case 'poly':
      return new PolyScheduler({ baseLr, maxUpdate: s.maxUpdate, pwr: s.pwr });
    case 'cosine':
      return new CosineScheduler({ baseLr, maxUpdate: s.maxUpdate });
  }
}

/** initOptimizer's optimizerParams (rescaleGrad is left to the module: 1 / batch size). */
export function optimizerParams(o: OptimizerChoice): Record<string, unknown> {
  const p: Record<string, unknown> = { learningRate: o.lr, wd: o.wd };
  if (WITH_MOMENTUM.includes(o.optimizer.toLowerCase())) p['momentum'] = o.momentum;
  if (o.clip !== null) p['clipGradient'] = o.clip;
  if (o.lrScheduler) p['lrScheduler'] = scheduler(o.lrScheduler, o.lr);
  return p;
}

/** Uniform's weight rule for every parameter whatever its name or `__init__` (biases and the fused RNN's packed vector too). */
class UniformEverywhere extends Uniform {
  override init(desc: InitDesc | string, arr: NDArray): void {
    this.initWeight(typeof desc === 'string' ? new InitDesc(desc) : desc, arr);
  }
}

/** lstm_bucketing's Xavier(factor_type='in', magnitude), MXNet's Uniform(scale), or U(−scale, scale) everywhere. */
export function initializerOf(s: InitSpec): Initializer {
  if (s.kind === 'xavier') return new Xavier({ factorType: 'in', magnitude: s.magnitude });
  return s.kind === 'uniform' ? new Uniform(s.scale) : new UniformEverywhere(s.scale);
}
