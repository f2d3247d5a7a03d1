import type { NDArray } from '@bkt/ndarray';

import { type FusedStep, Optimizer, type ParamKey } from '../optimizer.js';
import type { OptionSpec } from '../option-spec.js';

/**
 * MXNet SGLD (Stochastic Gradient Langevin Dynamics): w += -lr/2·(clip(rescale·g) + wd·w) + N(0, √lr).
 * The noise comes from @bkt/ndarray's global generator, so seed() makes a run reproducible.
 */
export class SGLD extends Optimizer {
  static override readonly optionSpec: OptionSpec = {};

  createState(): NDArray[] {
    return [];
  }

  protected fusedStep(
    index: ParamKey,
    _weight: NDArray,
    _grad: NDArray,
    _states: NDArray[],
    weight32: NDArray | undefined,
  ): FusedStep {
    this.updateCount(index);
    const opts = {
      lr: this.getLr(index),
      wd: this.getWd(index),
      rescaleGrad: this.rescaleGrad,
      clipGradient: this.pythonClip,
      weight32,
    };
    return { op: 'sgldUpdate', states: [], opts };
  }
}
