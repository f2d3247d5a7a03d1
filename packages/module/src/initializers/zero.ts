// MXNet's Zero: weights (and anything whose __init__ says "zero") set to 0.

import type { NDArray } from '@bkt/ndarray';
import type { InitDesc } from './init-desc.js';
import { Initializer, registerInitializer } from './initializer.js';

export class Zero extends Initializer {
  constructor() {
    super('zero');
  }

  initWeight(_desc: InitDesc, arr: NDArray): void {
    arr.fill(0);
  }
}

registerInitializer(['zero', 'zeros'], () => new Zero());
