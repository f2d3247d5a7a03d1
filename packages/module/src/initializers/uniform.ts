// MXNet's Uniform: weights from U(-scale, scale).

import { type NDArray, random } from '@bkt/ndarray';
import type { InitDesc } from './init-desc.js';
import { assign, drawDType, Initializer, json, kwarg, registerInitializer } from './initializer.js';

export class Uniform extends Initializer {
  readonly scale: number;

  constructor(scale = 0.07) {
    super('uniform', [['scale', json.float(scale)]]);
    this.scale = scale;
  }

  initWeight(_desc: InitDesc, arr: NDArray): void {
    assign(arr, random.uniform(-this.scale, this.scale, arr.shape, { dtype: drawDType(arr) }));
  }
}

registerInitializer(['uniform'], (kw) => new Uniform(kwarg(kw, 'scale', 0.07)));
