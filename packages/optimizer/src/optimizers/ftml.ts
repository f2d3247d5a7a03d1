import type { NDArray } from '@bkt/ndarray';

import { type FusedStep, Optimizer, type OptimizerOptions, type ParamKey } from '../optimizer.js';
import { zerosLike } from './state.js';
import { finite, type OptionSpec } from '../option-spec.js';

export interface FTMLOptions extends OptimizerOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/** MXNet FTML (Follow the Moving Leader), with states d, v, z and the parameter's update count. */
export class FTML extends Optimizer {
  static override readonly optionSpec: OptionSpec = {
    beta1: finite({ min: 0, max: 1 }),
    beta2: finite({ min: 0, max: 1 }),
    epsilon: finite({ min: 0 }),
  };

  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;

  constructor(opts: FTMLOptions = {}) {
    super(opts);
    this.beta1 = opts.beta1 ?? 0.6;
    this.beta2 = opts.beta2 ?? 0.999;
    this.epsilon = opts.epsilon ?? 1e-8;
  }

  createState(_index: ParamKey, weight: NDArray): NDArray[] {
    return zerosLike(weight, 3);
  }

  protected fusedStep(
    index: ParamKey,
    _weight: NDArray,
    _grad: NDArray,
    [d, v, z]: NDArray[],
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
      rescaleGrad: this.rescaleGrad,
      clipGradient: this.fusedClip,
      weight32,
    };
    return { op: 'ftmlUpdate', states: [d!, v!, z!], opts };
  }
}
