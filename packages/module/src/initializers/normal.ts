// MXNet's Normal: weights from N(0, sigma²).

import { type NDArray, random } from '@bkt/ndarray';
import type { InitDesc } from './init-desc.js';
import { assign, drawDType, Initializer, json, kwarg, registerInitializer } from './initializer.js';

export class Normal extends Initializer {
  readonly sigma: number;

  constructor(sigma = 0.01) {
    super('normal', [['sigma', json.float(sigma)]]);
    this.sigma = sigma;
  }

  initWeight(_desc: InitDesc, arr: NDArray): void {
    assign(arr, random.normal(0, this.sigma, arr.shape, { dtype: drawDType(arr) }));
  }
}

registerInitializer(['normal'], (kw) => new Normal(kwarg(kw, 'sigma', 0.01)));
