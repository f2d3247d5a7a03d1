import { LRScheduler, type LRSchedulerOptions } from './scheduler.js';
import { finite, type OptionSpec, required } from '../option-spec.js';

export interface FactorSchedulerOptions extends LRSchedulerOptions {
  /** Multiply the rate by `factor` every `step` updates (>= 1). */
  step: number;
  /** <= 1; 1 (no decay) by default. */
  factor?: number;
  /** The rate never goes below this (1e-8). */
  stopFactorLr?: number;
}

/** MXNet FactorScheduler: baseLr · factor^floor((numUpdate - 1) / step), floored at stopFactorLr, after warmup. */
export class FactorScheduler extends LRScheduler {
  // factor <= 1: the rate decays
  static override readonly optionSpec: OptionSpec = {
    step: required(finite({ min: 1 })),
    factor: finite({ min: 0, max: 1 }),
    stopFactorLr: finite({ min: 0 }),
  };

  readonly step: number;
  readonly factor: number;
  readonly stopFactorLr: number;
  /** The update count at which the rate last changed. */
  count = 0;

  constructor(opts: FactorSchedulerOptions) {
    super(opts);
    this.step = opts.step;
    this.factor = opts.factor ?? 1;
    this.stopFactorLr = opts.stopFactorLr ?? 1e-8;
  }

  lr(numUpdate: number): number {
    if (numUpdate < this.warmupSteps) return this.warmupLr(numUpdate);
    // A loop, not a formula: a run resumed at a later count catches up through the same multiplications.
    while (numUpdate > this.count + this.step) {
      this.count += this.step;
      this.baseLr *= this.factor;
      if (this.baseLr < this.stopFactorLr) this.baseLr = this.stopFactorLr;
    }
    return this.baseLr;
  }

  override stateScalars(): Record<string, number> {
    return { ...super.stateScalars(), count: this.count };
  }

  override loadStateScalars(s: Readonly<Record<string, number>>): void {
    super.loadStateScalars(s);
    if (s.count !== undefined) this.count = s.count;
  }
}
