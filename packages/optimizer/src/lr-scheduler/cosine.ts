import { type DecayToFinalOptions, DecayToFinalScheduler } from './decay-to-final.js';
import type { OptionSpec } from '../option-spec.js';

export type CosineSchedulerOptions = DecayToFinalOptions;

/** MXNet CosineScheduler: finalLr + (baseLr - finalLr)·(1 + cos(π·(n - warmupSteps)/(maxUpdate - warmupSteps)))/2 up to maxUpdate. */
export class CosineScheduler extends DecayToFinalScheduler {
  static override readonly optionSpec: OptionSpec = {};

  protected remaining(progress: number): number {
    return (1 + Math.cos(Math.PI * progress)) / 2;
  }
}
