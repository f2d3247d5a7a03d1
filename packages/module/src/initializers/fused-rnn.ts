// MXNet's FusedRNN: initializes the single packed parameter vector of a fused RNN layer as the
// equivalent unfused cells would be: the vector is cut into its per-gate arrays
// (`l0_i2h_i_weight`, `r1_h2h_o_bias` …), each is initialized by `init` — or, when that is null, by
// the initializer the call started from (desc.globalInit), so weights follow its weight rule and
// biases are zero — except that for LSTMs every forget-gate bias (`*_f_bias`, i2h and h2h) is set
// to forgetBias; then the arrays are packed back.

import { fromTypedArray, type NDArray, ValueError } from '@bkt/ndarray';
import { RNN_MODES, type RNNMode } from '@bkt/symbol';
import { FusedRNNCell, type Weight } from '@bkt/symbol/rnn';
import { InitDesc } from './init-desc.js';
import { assign, createInitializer, Initializer, type InitializerSpec, json, kwarg, registerInitializer } from './initializer.js';

export interface FusedRNNOptions {
  numHidden: number;
  numLayers: number;
  mode: RNNMode;
  bidirectional?: boolean;
  forgetBias?: number;
}

export class FusedRNN extends Initializer {
  readonly initializer: Initializer | null;
  readonly numHidden: number;
  readonly numLayers: number;
  readonly mode: RNNMode;
  readonly bidirectional: boolean;
  readonly forgetBias: number;

  constructor(init: InitializerSpec | null, opts: FusedRNNOptions) {
    const inner = init === null || init === undefined ? null : createInitializer(init);
    const bidirectional = opts.bidirectional ?? false;
    const forgetBias = opts.forgetBias ?? 1.0;
    if (!RNN_MODES.includes(opts.mode)) throw new ValueError(`FusedRNN: unknown mode '${String(opts.mode)}'`);
    super('fusedrnn', [
      ['init', inner === null ? 'null' : JSON.stringify(inner.dumps())],
      ['num_hidden', json.number(opts.numHidden)],
      ['num_layers', json.number(opts.numLayers)],
      ['mode', JSON.stringify(opts.mode)],
      ['bidirectional', String(bidirectional)],
      ['forget_bias', json.float(forgetBias)],
    ]);
    this.initializer = inner;
    this.numHidden = opts.numHidden;
    this.numLayers = opts.numLayers;
    this.mode = opts.mode;
    this.bidirectional = bidirectional;
    this.forgetBias = forgetBias;
  }

  initWeight(desc: InitDesc, arr: NDArray): void {
    const fallback = this.initializer ?? desc.globalInit;
    if (fallback === undefined || fallback === this) {
      throw new ValueError(
        `FusedRNN: '${desc.name}' needs an inner initializer or a global one to initialize the unpacked weights`,
      );
    }
    const cell = new FusedRNNCell(this.numHidden, {
      numLayers: this.numLayers,
      mode: this.mode,
      bidirectional: this.bidirectional,
      forgetBias: this.forgetBias,
      prefix: '',
    });
    const f32 = arr.dtype === 'float32' ? arr : arr.astype('float32');
    const packed: Weight = { shape: [arr.size], data: Float32Array.from(f32.toTypedArray() as Float32Array) };
    if (f32 !== arr) f32.dispose();
    const parts = cell.unpackWeights({ parameters: packed });
    const filled: Record<string, Weight> = {};
    for (const [name, w] of Object.entries(parts)) {
      const part = fromTypedArray(w.data, w.shape);
      try {
        if (this.mode === 'lstm' && name.endsWith('_f_bias')) part.fill(this.forgetBias);
        else fallback.init(new InitDesc(name, {}, desc.globalInit ?? fallback), part);
        filled[name] = { shape: w.shape, data: part.toTypedArray() as Float32Array };
      } finally {
        part.dispose();
      }
    }
    const out = cell.packWeights(filled).parameters!;
    assign(arr, fromTypedArray(out.data, arr.shape));
  }
}

registerInitializer(['fusedrnn'], (kw) => {
  const init = kwarg<InitializerSpec | null>(kw, 'init', null);
  return new FusedRNN(init, {
    numHidden: kwarg(kw, 'num_hidden', NaN),
    numLayers: kwarg(kw, 'num_layers', NaN),
    mode: kwarg(kw, 'mode', 'lstm'),
    bidirectional: kwarg(kw, 'bidirectional', false),
    forgetBias: kwarg(kw, 'forget_bias', 1.0),
  });
});
