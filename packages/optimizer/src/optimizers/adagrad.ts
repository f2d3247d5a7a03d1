import type { NDArray } from '@bkt/ndarray';

import { type FusedStep, Optimizer, type OptimizerOptions, type ParamKey } from '../optimizer.js';
import { zerosLike } from './state.js';
import { finite, type OptionSpec } from '../option-spec.js';

export interface AdaGradOptions extends OptimizerOptions {
  /** Added to the history under the square root (1e-7). */
  eps?: number;
}

/** MXNet AdaGrad: g = clip(rescale·grad); history += g²; w -= lr·(g/√(history + eps) + wd·w). */
export class AdaGrad extends Optimizer {
  static override readonly optionSpec: OptionSpec = { eps: finite({ min: 0 }) };

  readonly floatStableEps: number;

  constructor(opts: AdaGradOptions = {}) {
    super(opts);
    this.floatStableEps = opts.eps ?? 1e-7;
  }

  createState(_index: ParamKey, weight: NDArray): NDArray[] {
    return zerosLike(weight, 1);
  }

  protected fusedStep(
    index: ParamKey,
    _weight: NDArray,
    _grad: NDArray,
    [history]: NDArray[],
    weight32: NDArray | undefined,
  ): FusedStep {
    this.updateCount(index);
    const opts = {
      lr: this.getLr(index),
      wd: this.getWd(index),
      epsilon: this.floatStableEps,
      rescaleGrad: this.rescaleGrad,
      clipGradient: this.pythonClip,
      weight32,
    };
    return { op: 'adagradUpdate', states: [history!], opts };
  }
}
