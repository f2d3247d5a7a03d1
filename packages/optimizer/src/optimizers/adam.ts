import type { NDArray } from '@bkt/ndarray';

import { type FusedStep, Optimizer, type OptimizerOptions, type ParamKey } from '../optimizer.js';
import { zerosLike } from './state.js';
import { boolean, finite, type OptionSpec } from '../option-spec.js';

export interface AdamOptions extends OptimizerOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Accepted for MXNet compatibility; dense arrays never update lazily. */
  lazyUpdate?: boolean;
}

/**
 * MXNet Adam (learning rate 0.001): g = clip(rescale·grad + wd·w), moving mean and variance,
 * w -= lr·√(1-β2^t)/(1-β1^t) · mean / (√var + ε), the bias correction folded into lr as MXNet does.
 */
export class Adam extends Optimizer {
  static override readonly optionSpec: OptionSpec = {
    beta1: finite({ min: 0, max: 1 }),
    beta2: finite({ min: 0, max: 1 }),
    epsilon: finite({ min: 0 }),
    lazyUpdate: boolean,
  };

  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;

  constructor(opts: AdamOptions = {}) {
    super(opts, 0.001);
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.epsilon = opts.epsilon ?? 1e-8;
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
    const t = this.stepCount(index);
    const lr = (this.getLr(index) * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t);
    const opts = {
      lr,
      wd: this.getWd(index),
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      rescaleGrad: this.rescaleGrad,
      clipGradient: this.fusedClip,
      weight32,
    };
    return { op: 'adamUpdate', states: [mean!, variance!], opts };
  }
}
