import type { NDArray } from '@bkt/ndarray';

import { type FusedStep, Optimizer, type OptimizerOptions, type ParamKey } from '../optimizer.js';
import { zerosLike } from './state.js';
import { boolean, finite, finiteOrNull, type OptionSpec } from '../option-spec.js';

export interface RMSPropOptions extends OptimizerOptions {
  /** Decay of the squared-gradient average (0.9). */
  gamma1?: number;
  /** Momentum of the centered version (0.9). */
  gamma2?: number;
  epsilon?: number;
  /** false: Tieleman & Hinton; true: Graves's centered version. */
  centered?: boolean;
  /** Clips the weights to [-c, c] after each update; null (off) by default. */
  clipWeights?: number | null;
}

/** MXNet RMSProp (learning rate 0.001): rmsprop_update, or rmspropalex_update when centered. */
export class RMSProp extends Optimizer {
  static override readonly optionSpec: OptionSpec = {
    gamma1: finite({ min: 0, max: 1 }),
    gamma2: finite({ min: 0, max: 1 }),
    epsilon: finite({ min: 0 }),
    centered: boolean,
    clipWeights: finiteOrNull(),
  };

  readonly gamma1: number;
  readonly gamma2: number;
  readonly epsilon: number;
  readonly centered: boolean;
  readonly clipWeights: number | null;

  constructor(opts: RMSPropOptions = {}) {
    super(opts, 0.001);
    this.gamma1 = opts.gamma1 ?? 0.9;
    this.gamma2 = opts.gamma2 ?? 0.9;
    this.epsilon = opts.epsilon ?? 1e-8;
    this.centered = opts.centered ?? false;
    this.clipWeights = opts.clipWeights ?? null;
  }

  createState(_index: ParamKey, weight: NDArray): NDArray[] {
    return zerosLike(weight, this.centered ? 3 : 1);
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
      gamma1: this.gamma1,
      gamma2: this.gamma2,
      epsilon: this.epsilon,
      rescaleGrad: this.rescaleGrad,
      clipGradient: this.fusedClip,
      clipWeights: this.clipWeights ? this.clipWeights : -1,
      weight32,
    };
    return { op: this.centered ? 'rmspropalexUpdate' : 'rmspropUpdate', states, opts };
  }
}
