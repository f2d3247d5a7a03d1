// MXNet's One: weights (and anything whose __init__ says "one") set to 1.

import type { NDArray } from '@bkt/ndarray';
import type { InitDesc } from './init-desc.js';
import { Initializer, registerInitializer } from './initializer.js';

export class One extends Initializer {
  constructor() {
    super('one');
  }

  initWeight(_desc: InitDesc, arr: NDArray): void {
    arr.fill(1);
  }
}

registerInitializer(['one', 'ones'], () => new One());
