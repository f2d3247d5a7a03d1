import { ValueError } from '@bkt/ndarray';

import { LRScheduler, type LRSchedulerOptions } from './scheduler.js';
import { finite, finiteList, type OptionSpec, required } from '../option-spec.js';

export interface MultiFactorSchedulerOptions extends LRSchedulerOptions {
  /** Increasing update counts (>= 1) after which the rate is multiplied by `factor`. */
  step: readonly number[];
  /** <= 1; 1 (no decay) by default. */
  factor?: number;
}

/** MXNet MultiFactorScheduler: baseLr · factor^k once numUpdate has passed k of the steps, after warmup. */
export class MultiFactorScheduler extends LRScheduler {
  // factor <= 1: the rate decays
  static override readonly optionSpec: OptionSpec = {
    step: required(finiteList({ min: 1 })),
    factor: finite({ min: 0, max: 1 }),
  };

  readonly step: readonly number[];
  readonly factor: number;
  /** How many steps have been passed. */
  curStepInd = 0;
  /** The step last passed. */
  count = 0;

  constructor(opts: MultiFactorSchedulerOptions) {
    super(opts);
    const steps = opts.step;
    if (steps.length === 0) {
      throw new ValueError('MultiFactorScheduler: step must be a non-empty list of update counts');
    }
    steps.forEach((s, i) => {
      if (i > 0 && s <= steps[i - 1]!) {
        throw new ValueError(`MultiFactorScheduler: step must be increasing, got ${JSON.stringify(steps)}`);
      }
    });
    this.step = Object.freeze([...steps]);
    this.factor = opts.factor ?? 1;
  }

  lr(numUpdate: number): number {
    if (numUpdate < this.warmupSteps) return this.warmupLr(numUpdate);
    while (this.curStepInd < this.step.length && numUpdate > this.step[this.curStepInd]!) {
      this.count = this.step[this.curStepInd]!;
      this.curStepInd += 1;
      this.baseLr *= this.factor;
    }
    return this.baseLr;
  }

  override stateScalars(): Record<string, number> {
    return { ...super.stateScalars(), count: this.count, curStepInd: this.curStepInd };
  }

  override loadStateScalars(s: Readonly<Record<string, number>>): void {
    super.loadStateScalars(s);
    if (s.count !== undefined) this.count = s.count;
    if (s.curStepInd !== undefined) this.curStepInd = s.curStepInd;
  }
}
