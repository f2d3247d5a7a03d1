import { type DecayToFinalOptions, DecayToFinalScheduler } from './decay-to-final.js';

export type CosineSchedulerOptions = DecayToFinalOptions;

/** MXNet CosineScheduler: finalLr + (baseLr - finalLr)·(1 + cos(π·(n - warmupSteps)/(maxUpdate - warmupSteps)))/2 up to maxUpdate. */
export class CosineScheduler extends DecayToFinalScheduler {
  constructor(opts: CosineSchedulerOptions) {
    super('CosineScheduler', opts);
  }

  protected remaining(progress: number): number {
    return (1 + Math.cos(Math.PI * progress)) / 2;
  }
}
