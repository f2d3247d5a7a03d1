import { ValueError } from '@bkt/ndarray';

import { LRScheduler, type LRSchedulerOptions } from './scheduler.js';

export interface CosineSchedulerOptions extends LRSchedulerOptions {
  /** The update count at which the rate reaches finalLr (an integer >= 1). */
  maxUpdate: number;
  /** The rate at and after maxUpdate (0). */
  finalLr?: number;
}

/** MXNet CosineScheduler: finalLr + (baseLr - finalLr)·(1 + cos(π·(n - warmupSteps)/(maxUpdate - warmupSteps)))/2 up to maxUpdate. */
export class CosineScheduler extends LRScheduler {
  readonly maxUpdate: number;
  readonly finalLr: number;
  /** The base rate at construction: the decay starts from it even if baseLr is overwritten later. */
  readonly baseLrOrig: number;
  readonly maxSteps: number;

  constructor(opts: CosineSchedulerOptions) {
    super(opts);
    if (!Number.isInteger(opts.maxUpdate) || opts.maxUpdate < 1) {
      throw new ValueError(`CosineScheduler: maxUpdate must be an integer >= 1, got ${opts.maxUpdate}`);
    }
    this.maxUpdate = opts.maxUpdate;
    this.finalLr = opts.finalLr ?? 0;
    this.baseLrOrig = this.baseLr;
    this.maxSteps = this.maxUpdate - this.warmupSteps;
  }

  lr(numUpdate: number): number {
    if (numUpdate < this.warmupSteps) return this.warmupLr(numUpdate);
    if (numUpdate <= this.maxUpdate) {
      this.baseLr =
        this.finalLr +
        ((this.baseLrOrig - this.finalLr) * (1 + Math.cos((Math.PI * (numUpdate - this.warmupSteps)) / this.maxSteps))) / 2;
    }
    return this.baseLr;
  }
}
