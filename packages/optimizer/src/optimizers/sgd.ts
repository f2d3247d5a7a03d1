import type { NDArray } from '@bkt/ndarray';

import { type FusedStep, Optimizer, type OptimizerOptions, type ParamKey } from '../optimizer.js';
import { zerosLike } from './state.js';
import { boolean, finite, type OptionSpec } from '../option-spec.js';

export interface SGDOptions extends OptimizerOptions {
  /** 0 by default (plain SGD, no state). */
  momentum?: number;
  /** With a row_sparse gradient, update only its rows (MXNet's default, true); dense gradients update every row. */
  lazyUpdate?: boolean;
}

/**
 * MXNet SGD: with momentum, mom = momentum·mom - wd·w - clip(rescale·g); w += lr·mom (MXNet 1.6+'s
 * sgd_mom_update); without, w = (1 - lr·wd)·w - lr·clip(rescale·g).
 */
export class SGD extends Optimizer {
  static override readonly optionSpec: OptionSpec = { momentum: finite({ min: 0 }), lazyUpdate: boolean };

  readonly momentum: number;
  readonly lazyUpdate: boolean;

  constructor(opts: SGDOptions = {}) {
    super(opts);
    this.momentum = opts.momentum ?? 0;
    this.lazyUpdate = opts.lazyUpdate ?? true;
  }

  createState(_index: ParamKey, weight: NDArray): NDArray[] {
    return zerosLike(weight, this.momentum !== 0 ? 1 : 0);
  }

  protected fusedStep(
    index: ParamKey,
    _weight: NDArray,
    _grad: NDArray,
    states: NDArray[],
    weight32: NDArray | undefined,
  ): FusedStep {
    this.updateCount(index);
    const opts = {
      lr: this.getLr(index),
      wd: this.getWd(index),
      rescaleGrad: this.rescaleGrad,
      clipGradient: this.fusedClip,
      weight32,
      lazyUpdate: this.lazyUpdate,
    };
    const [mom] = states;
    if (mom === undefined) return { op: 'sgdUpdate', states: [], opts };
    return { op: this.momentumOp, states: [mom], opts: { ...opts, momentum: this.momentum > 0 ? this.momentum : 0 } };
  }

  /** The fused kernel for the momentum state: the one step NAG does differently. */
  protected get momentumOp(): 'sgdMomUpdate' | 'nagMomUpdate' {
    return 'sgdMomUpdate';
  }
}
