// The base of MXNet's learning-rate schedulers (mx.lr_scheduler.LRScheduler): a base rate and an
// optional warmup that runs before the schedule proper.
import { ValueError } from '@bkt/ndarray';
import { checkClassOptions, finite, oneOf, type OptionSpec } from '../option-spec.js';

export type WarmupMode = 'linear' | 'constant';

export interface LRSchedulerOptions {
  /** The initial learning rate (0.01). An optimizer given its own learningRate overwrites it. */
  baseLr?: number;
  /** Updates spent warming up before the schedule starts (0). */
  warmupSteps?: number;
  /** The rate warmup starts from (0). */
  warmupBeginLr?: number;
  /** 'linear' ramps from warmupBeginLr to the base rate; 'constant' holds warmupBeginLr. */
  warmupMode?: WarmupMode;
}

export abstract class LRScheduler {
  static readonly optionSpec: OptionSpec = {
    baseLr: finite({ min: 0 }),
    warmupSteps: finite({ min: 0, integer: true }),
    warmupBeginLr: finite({ min: 0 }),
    warmupMode: oneOf('linear', 'constant'),
  };

  /** The current base rate; schedules that decay step by step (factor, multifactor) lower it in place. */
  baseLr: number;
  readonly warmupSteps: number;
  readonly warmupBeginLr: number;
  /** The rate warmup ramps to: the base rate at construction, as in MXNet. */
  readonly warmupFinalLr: number;
  readonly warmupMode: WarmupMode;
  /** The options it was created with, subclass options included (a dist_async store rebuilds it from them on its servers). */
  readonly createOptions: Readonly<Record<string, unknown>>;

  constructor(opts: LRSchedulerOptions = {}) {
    checkClassOptions(new.target.name, opts, new.target, LRScheduler);
    this.createOptions = Object.freeze({ ...opts });
    this.baseLr = opts.baseLr ?? 0.01;
    this.warmupSteps = opts.warmupSteps ?? 0;
    this.warmupBeginLr = opts.warmupBeginLr ?? 0;
    this.warmupFinalLr = this.baseLr;
    this.warmupMode = opts.warmupMode ?? 'linear';
    const name = new.target.name;
    if (this.warmupBeginLr > this.warmupFinalLr) {
      throw new ValueError(
        `${name}: warmupBeginLr (${this.warmupBeginLr}) must not exceed the base learning rate (${this.warmupFinalLr})`,
      );
    }
  }

  /** The warmup rate at `numUpdate` (< warmupSteps). */
  protected warmupLr(numUpdate: number): number {
    if (this.warmupMode === 'constant') return this.warmupBeginLr;
    return this.warmupBeginLr + ((this.warmupFinalLr - this.warmupBeginLr) * numUpdate) / this.warmupSteps;
  }

  /**
   * The learning rate after `numUpdate` updates (MXNet's `__call__`; num_update is the largest update
   * count of any weight). Some schedules keep state, so calls should not go backwards.
   */
  abstract lr(numUpdate: number): number;

  /** The scheduler's mutable state as named numbers, for the updater's state file. */
  stateScalars(): Record<string, number> {
    return { baseLr: this.baseLr };
  }

  /** Restores what stateScalars returned; names this scheduler does not use are ignored. */
  loadStateScalars(s: Readonly<Record<string, number>>): void {
    if (s.baseLr !== undefined) this.baseLr = s.baseLr;
  }
}
