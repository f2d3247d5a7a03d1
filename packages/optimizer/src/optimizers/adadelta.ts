import type { NDArray } from '@bkt/ndarray';

import { type FusedStep, Optimizer, type OptimizerOptions, type ParamKey } from '../optimizer.js';
import { zerosLike } from './state.js';
import { finite, type OptionSpec } from '../option-spec.js';

export interface AdaDeltaOptions extends OptimizerOptions {
  /** Decay of both accumulators (0.9). */
  rho?: number;
  epsilon?: number;
}

/** MXNet AdaDelta: no learning rate; w -= Δ + wd·w with Δ = √(accΔ + ε)/√(accG + ε)·clip(rescale·g). */
export class AdaDelta extends Optimizer {
  static override readonly optionSpec: OptionSpec = { rho: finite({ min: 0, max: 1 }), epsilon: finite({ min: 0 }) };

  readonly rho: number;
  readonly epsilon: number;

  constructor(opts: AdaDeltaOptions = {}) {
    super(opts);
    this.rho = opts.rho ?? 0.9;
    this.epsilon = opts.epsilon ?? 1e-5;
  }

  createState(_index: ParamKey, weight: NDArray): NDArray[] {
    return zerosLike(weight, 2);
  }

  protected fusedStep(
    index: ParamKey,
    _weight: NDArray,
    _grad: NDArray,
    [accGrad, accDelta]: NDArray[],
    weight32: NDArray | undefined,
  ): FusedStep {
    const wd = this.getWd(index);
    this.updateCount(index);
    const opts = {
      rho: this.rho,
      epsilon: this.epsilon,
      wd,
      rescaleGrad: this.rescaleGrad,
      clipGradient: this.pythonClip,
      weight32,
    };
    return { op: 'adadeltaUpdate', states: [accGrad!, accDelta!], opts };
  }
}
