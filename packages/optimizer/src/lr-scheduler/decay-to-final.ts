import { LRScheduler, type LRSchedulerOptions } from './scheduler.js';
import { finite, type OptionSpec, required } from '../option-spec.js';

export interface DecayToFinalOptions extends LRSchedulerOptions {
  /** The update count at which the rate reaches finalLr (an integer >= 1). */
  maxUpdate: number;
  /** The rate at and after maxUpdate (0). */
  finalLr?: number;
}

/**
 * What MXNet's PolyScheduler and CosineScheduler share: after warmup the rate falls from the base rate
 * to finalLr along a curve over maxUpdate - warmupSteps updates, then stays there. Subclasses give the
 * curve as the fraction of (base - final) left at a given progress in [0, 1].
 */
export abstract class DecayToFinalScheduler extends LRScheduler {
  static override readonly optionSpec: OptionSpec = {
    maxUpdate: required(finite({ min: 1, integer: true })),
    finalLr: finite({ min: 0 }),
  };

  readonly maxUpdate: number;
  readonly finalLr: number;
  /** The base rate at construction: the decay starts from it even if baseLr is overwritten later. */
  readonly baseLrOrig: number;
  readonly maxSteps: number;

  constructor(opts: DecayToFinalOptions) {
    super(opts);
    this.maxUpdate = opts.maxUpdate;
    this.finalLr = opts.finalLr ?? 0;
    this.baseLrOrig = this.baseLr;
    this.maxSteps = this.maxUpdate - this.warmupSteps;
  }

  protected abstract remaining(progress: number): number;

  lr(numUpdate: number): number {
    if (numUpdate < this.warmupSteps) return this.warmupLr(numUpdate);
    if (numUpdate <= this.maxUpdate) {
      this.baseLr =
        this.finalLr + (this.baseLrOrig - this.finalLr) * this.remaining((numUpdate - this.warmupSteps) / this.maxSteps);
    }
    return this.baseLr;
  }
}
