import type { NDArray } from '@bkt/ndarray';

import { type FusedStep, Optimizer, type OptimizerOptions, type ParamKey } from '../optimizer.js';
import { zerosLike } from './state.js';
import { finite, type OptionSpec } from '../option-spec.js';

export interface SignumOptions extends OptimizerOptions {
  /** 0.9 by default; 0 gives signSGD (no state). */
  momentum?: number;
  /** Decoupled weight decay (0). */
  wdLh?: number;
}

/** MXNet Signum: steps by the sign of the momentum (signum_update), or of the gradient when momentum is 0. */
export class Signum extends Optimizer {
  static override readonly optionSpec: OptionSpec = { momentum: finite({ min: 0 }), wdLh: finite() };

  readonly momentum: number;
  readonly wdLh: number;

  constructor(opts: SignumOptions = {}) {
    super(opts, 0.01);
    this.momentum = opts.momentum ?? 0.9;
    this.wdLh = opts.wdLh ?? 0;
  }

  createState(_index: ParamKey, weight: NDArray): NDArray[] {
    return zerosLike(weight, this.momentum !== 0 ? 1 : 0);
  }

  protected fusedStep(
    index: ParamKey,
    _weight: NDArray,
    _grad: NDArray,
    [mom]: NDArray[],
    weight32: NDArray | undefined,
  ): FusedStep {
    this.updateCount(index);
    const opts = {
      lr: this.getLr(index),
      wd: this.getWd(index),
      rescaleGrad: this.rescaleGrad,
      clipGradient: this.fusedClip,
      weight32,
    };
    if (mom === undefined) return { op: 'signsgdUpdate', states: [], opts };
    return {
      op: 'signumUpdate',
      states: [mom],
      opts: { ...opts, momentum: this.momentum > 0 ? this.momentum : 0, wdLh: this.wdLh },
    };
  }
}
