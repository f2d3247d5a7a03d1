import type { NDArray } from '@bkt/ndarray';

import { type FusedStep, Optimizer, type OptimizerOptions, type ParamKey } from '../optimizer.js';
import { zerosLike } from './state.js';
import { boolean, finite, finiteOrNull, type OptionSpec } from '../option-spec.js';

export interface LAMBOptions extends OptimizerOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Clamps of ‖weight‖ in the trust ratio; null (none) by default. */
  lowerBound?: number | null;
  upperBound?: number | null;
  biasCorrection?: boolean;
}

/**
 * MXNet LAMB (learning rate 0.001): an Adam direction g (+ wd·w) scaled per parameter by the trust
 * ratio ‖w‖/‖g‖, in one fused call (MXNet's lamb_update_phase1 and phase2). With a master copy the
 * master is updated too (MXNet's mp_lamb_update_phase2 leaves weight32 unchanged).
 */
export class LAMB extends Optimizer {
  static override readonly optionSpec: OptionSpec = {
    beta1: finite({ min: 0, max: 1 }),
    beta2: finite({ min: 0, max: 1 }),
    epsilon: finite({ min: 0 }),
    lowerBound: finiteOrNull(),
    upperBound: finiteOrNull(),
    biasCorrection: boolean,
  };

  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly lowerBound: number | null;
  readonly upperBound: number | null;
  readonly biasCorrection: boolean;

  constructor(opts: LAMBOptions = {}) {
    super(opts, 0.001);
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.epsilon = opts.epsilon ?? 1e-6;
    this.lowerBound = opts.lowerBound ?? null;
    this.upperBound = opts.upperBound ?? null;
    this.biasCorrection = opts.biasCorrection ?? true;
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
    const opts = {
      lr: this.getLr(index),
      wd: this.getWd(index),
      t: this.stepCount(index),
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      biasCorrection: this.biasCorrection,
      lowerBound: this.lowerBound ? this.lowerBound : -1,
      upperBound: this.upperBound ? this.upperBound : -1,
      rescaleGrad: this.rescaleGrad,
      clipGradient: this.fusedClip,
      weight32,
    };
    return { op: 'lambUpdate', states: [mean!, variance!], opts };
  }
}
