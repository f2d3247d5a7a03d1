import { type NDArray, nagMomUpdate, sgdUpdate } from '@bkt/ndarray';

import { Optimizer, type OptimizerOptions, type ParamKey } from '../optimizer.js';
import { zerosLike } from './state.js';

export interface NAGOptions extends OptimizerOptions {
  /** 0 by default (then it is plain SGD). */
  momentum?: number;
}

/** MXNet NAG (Nesterov): t = clip(rescale·g) + wd·w; mom = momentum·mom - lr·t; w += momentum·mom - lr·t. */
export class NAG extends Optimizer {
  readonly momentum: number;

  constructor(opts: NAGOptions = {}) {
    super(opts);
    this.momentum = opts.momentum ?? 0;
  }

  createState(_index: ParamKey, weight: NDArray): NDArray[] {
    return zerosLike(weight, this.momentum !== 0 ? 1 : 0);
  }

  protected step(index: ParamKey, weight: NDArray, grad: NDArray, states: NDArray[], weight32: NDArray | undefined): void {
    this.updateCount(index);
    const opts = { lr: this.getLr(index), wd: this.getWd(index), rescaleGrad: this.rescaleGrad, clipGradient: this.fusedClip, weight32 };
    const [mom] = states;
    if (mom !== undefined) nagMomUpdate(weight, grad, mom, { ...opts, momentum: this.momentum > 0 ? this.momentum : 0 });
    else sgdUpdate(weight, grad, opts);
  }
}
