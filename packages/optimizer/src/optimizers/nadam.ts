import type { NDArray } from '@bkt/ndarray';

import { type FusedStep, Optimizer, type OptimizerOptions, type ParamKey } from '../optimizer.js';
import { zerosLike } from './state.js';
import { finite, type OptionSpec } from '../option-spec.js';

export interface NadamOptions extends OptimizerOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Decay of the momentum schedule (0.004). */
  scheduleDecay?: number;
}

/**
 * MXNet Nadam (learning rate 0.001): Adam with Nesterov momentum and a warming momentum schedule.
 * As in MXNet, the schedule product mSchedule is one number for the whole optimizer, advanced by
 * every update of every parameter; the updater's state file keeps it.
 */
export class Nadam extends Optimizer {
  static override readonly optionSpec: OptionSpec = {
    beta1: finite({ min: 0, max: 1 }),
    beta2: finite({ min: 0, max: 1 }),
    epsilon: finite({ min: 0 }),
    scheduleDecay: finite(),
  };

  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly scheduleDecay: number;
  mSchedule = 1;

  constructor(opts: NadamOptions = {}) {
    super(opts, 0.001);
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.epsilon = opts.epsilon ?? 1e-8;
    this.scheduleDecay = opts.scheduleDecay ?? 0.004;
  }

  createState(_index: ParamKey, weight: NDArray): NDArray[] {
    return zerosLike(weight, 2);
  }

  protected fusedStep(
    index: ParamKey,
    _weight: NDArray,
    _grad: NDArray,
    [mean, variance]: NDArray[],
    weight32: NDArray | undefined,
  ): FusedStep {
    this.updateCount(index);
    const lr = this.getLr(index);
    const wd = this.getWd(index);
    const t = this.stepCount(index);
    const momentumT = this.beta1 * (1 - 0.5 * 0.96 ** (t * this.scheduleDecay));
    const momentumT1 = this.beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * this.scheduleDecay));
    this.mSchedule = this.mSchedule * momentumT;
    const opts = {
      lr,
      wd,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      momentumT,
      momentumT1,
      mSchedule: this.mSchedule,
      mScheduleNext: this.mSchedule * momentumT1,
      beta2PowT: this.beta2 ** t,
      rescaleGrad: this.rescaleGrad,
      clipGradient: this.pythonClip,
      weight32,
    };
    return { op: 'nadamUpdate', states: [mean!, variance!], opts };
  }

  override stateScalars(): Record<string, number> {
    return { ...super.stateScalars(), mSchedule: this.mSchedule };
  }

  override loadStateScalars(s: Readonly<Record<string, number>>): void {
    super.loadStateScalars(s);
    if (s.mSchedule !== undefined) this.mSchedule = s.mSchedule;
  }
}
