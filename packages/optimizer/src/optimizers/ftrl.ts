import type { NDArray } from '@bkt/ndarray';

import { type FusedStep, Optimizer, type OptimizerOptions, type ParamKey } from '../optimizer.js';
import { zerosLike } from './state.js';
import { checkClassOptions, finite, type OptionSpec } from '../option-spec.js';

export interface FtrlOptions extends OptimizerOptions {
  /** L1 regularisation (0.01). */
  lamda1?: number;
  /** Per-coordinate learning-rate parameter (1). */
  beta?: number;
}

/**
 * MXNet Ftrl (learning rate 0.1). As in MXNet, its learningRate never overwrites a scheduler's
 * baseLr: with a scheduler the rate is the scheduler's.
 */
export class Ftrl extends Optimizer {
  static override readonly optionSpec: OptionSpec = { lamda1: finite(), beta: finite() };

  readonly lamda1: number;
  readonly beta: number;

  constructor(opts: FtrlOptions = {}) {
    // checked whole here: the base sees them without learningRate, which must not set a scheduler's baseLr
    checkClassOptions('ftrl', opts, new.target, Optimizer);
    const { learningRate, ...rest } = opts;
    super(rest);
    this.lr = learningRate ?? 0.1;
    this.lamda1 = opts.lamda1 ?? 0.01;
    this.beta = opts.beta ?? 1;
  }

  createState(_index: ParamKey, weight: NDArray): NDArray[] {
    return zerosLike(weight, 2);
  }

  protected fusedStep(
    index: ParamKey,
    _weight: NDArray,
    _grad: NDArray,
    [z, n]: NDArray[],
    weight32: NDArray | undefined,
  ): FusedStep {
    this.updateCount(index);
    const opts = {
      lr: this.getLr(index),
      wd: this.getWd(index),
      lamda1: this.lamda1,
      beta: this.beta,
      rescaleGrad: this.rescaleGrad,
      clipGradient: this.fusedClip,
      weight32,
    };
    return { op: 'ftrlUpdate', states: [z!, n!], opts };
  }
}
