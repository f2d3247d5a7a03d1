// MXNet's LSTMBias: an LSTM i2h bias (4·H values, gates i, f, c, o) set to 0 except the forget gate's
// block [H, 2H), set to forgetBias, so the cell starts by remembering. LSTMCell attaches it to its
// bias through the `__init__` attribute.

import { type NDArray, ValueError } from '@bkt/ndarray';
import type { InitDesc } from './init-desc.js';
import { Initializer, json, kwarg, registerInitializer } from './initializer.js';

export class LSTMBias extends Initializer {
  readonly forgetBias: number;

  constructor(forgetBias = 1.0) {
    super('lstmbias', [['forget_bias', json.float(forgetBias)]]);
    this.forgetBias = forgetBias;
  }

  initWeight(desc: InitDesc, arr: NDArray): void {
    const rows = arr.shape[0] ?? 0;
    if (arr.ndim < 1 || rows % 4 !== 0)
      throw new ValueError(`LSTMBias: '${desc.name}' of shape (${arr.shape.join(', ')}) is not 4 gates`);
    arr.fill(0);
    const h = rows / 4;
    const forget = arr.slice(h, 2 * h);
    try {
      forget.fill(this.forgetBias);
    } finally {
      forget.dispose();
    }
  }
}

registerInitializer(['lstmbias'], (kw) => new LSTMBias(kwarg(kw, 'forget_bias', 1.0)));
