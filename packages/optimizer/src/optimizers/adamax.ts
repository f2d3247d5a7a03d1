import type { NDArray } from '@bkt/ndarray';

import { type FusedStep, Optimizer, type OptimizerOptions, type ParamKey } from '../optimizer.js';
import { zerosLike } from './state.js';
import { finite, type OptionSpec } from '../option-spec.js';

export interface AdamaxOptions extends OptimizerOptions {
  beta1?: number;
  beta2?: number;
}

/** MXNet Adamax (learning rate 0.002): Adam with the infinity norm, w -= lr/(1-β1^t)·m/u. */
export class Adamax extends Optimizer {
  static override readonly optionSpec: OptionSpec = { beta1: finite({ min: 0, max: 1 }), beta2: finite({ min: 0, max: 1 }) };

  readonly beta1: number;
  readonly beta2: number;

  constructor(opts: AdamaxOptions = {}) {
    super(opts, 0.002);
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
  }

  createState(_index: ParamKey, weight: NDArray): NDArray[] {
    return zerosLike(weight, 2);
  }

  protected fusedStep(
    index: ParamKey,
    _weight: NDArray,
    _grad: NDArray,
    [mean, u]: NDArray[],
    weight32: NDArray | undefined,
  ): FusedStep {
    this.updateCount(index);
    const t = this.stepCount(index);
    const opts = {
      lr: this.getLr(index) / (1 - this.beta1 ** t),
      wd: this.getWd(index),
      beta1: this.beta1,
      beta2: this.beta2,
      rescaleGrad: this.rescaleGrad,
      clipGradient: this.pythonClip,
      weight32,
    };
    return { op: 'adamaxUpdate', states: [mean!, u!], opts };
  }
}
