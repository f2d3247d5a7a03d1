import { type DecayToFinalOptions, DecayToFinalScheduler } from './decay-to-final.js';
import { finite, type OptionSpec } from '../option-spec.js';

export interface PolySchedulerOptions extends DecayToFinalOptions {
  /** The power of the decay (2). */
  pwr?: number;
}

/** MXNet PolyScheduler: finalLr + (baseLr - finalLr)·(1 - (n - warmupSteps)/(maxUpdate - warmupSteps))^pwr up to maxUpdate. */
export class PolyScheduler extends DecayToFinalScheduler {
  static override readonly optionSpec: OptionSpec = { pwr: finite() };

  readonly power: number;

  constructor(opts: PolySchedulerOptions) {
    super(opts);
    this.power = opts.pwr ?? 2;
  }

  protected remaining(progress: number): number {
    return Math.pow(1 - progress, this.power);
  }
}
