import { ValueError } from '@bkt/ndarray';

import { LRScheduler, type LRSchedulerOptions } from './scheduler.js';

export interface PolySchedulerOptions extends LRSchedulerOptions {
  /** The update count at which the rate reaches finalLr (an integer >= 1). */
  maxUpdate: number;
  /** The power of the decay (2). */
  pwr?: number;
  /** The rate at and after maxUpdate (0). */
  finalLr?: number;
}

/** MXNet PolyScheduler: finalLr + (baseLr - finalLr)·(1 - (n - warmupSteps)/(maxUpdate - warmupSteps))^pwr up to maxUpdate. */
export class PolyScheduler extends LRScheduler {
  readonly maxUpdate: number;
  readonly power: number;
  readonly finalLr: number;
  /** The base rate at construction: the decay starts from it even if baseLr is overwritten later. */
  readonly baseLrOrig: number;
  readonly maxSteps: number;

  constructor(opts: PolySchedulerOptions) {
    super(opts);
    if (!Number.isInteger(opts.maxUpdate) || opts.maxUpdate < 1) {
      throw new ValueError(`PolyScheduler: maxUpdate must be an integer >= 1, got ${opts.maxUpdate}`);
    }
    this.maxUpdate = opts.maxUpdate;
    this.power = opts.pwr ?? 2;
    this.finalLr = opts.finalLr ?? 0;
    this.baseLrOrig = this.baseLr;
    this.maxSteps = this.maxUpdate - this.warmupSteps;
  }

  lr(numUpdate: number): number {
    if (numUpdate < this.warmupSteps) return this.warmupLr(numUpdate);
    if (numUpdate <= this.maxUpdate) {
      this.baseLr =
        this.finalLr +
        (this.baseLrOrig - this.finalLr) * Math.pow(1 - (numUpdate - this.warmupSteps) / this.maxSteps, this.power);
    }
    return this.baseLr;
  }
}
