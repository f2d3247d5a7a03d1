// MXNet's Constant: weights set to a value, or to an array broadcast to their shape.

import { add, type NDArray, zeros } from '@bkt/ndarray';
import type { InitDesc } from './init-desc.js';
import { assign, Initializer, json, kwarg, registerInitializer } from './initializer.js';

export class Constant extends Initializer {
  readonly value: number | NDArray;

  constructor(value: number | NDArray) {
    super('constant', [['value', typeof value === 'number' ? json.number(value) : JSON.stringify(value.toArray())]]);
    this.value = value;
  }

  initWeight(_desc: InitDesc, arr: NDArray): void {
    if (typeof this.value === 'number') {
      arr.fill(this.value);
      return;
    }
    const base = zeros(arr.shape, { dtype: this.value.dtype });
    try {
      assign(arr, add(base, this.value));
    } finally {
      base.dispose();
    }
  }
}

registerInitializer(['constant'], (kw) => new Constant(kwarg(kw, 'value', 0)));
