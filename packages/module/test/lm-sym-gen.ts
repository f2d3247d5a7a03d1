// lstm_bucketing.py's sym_gen (2 LSTM layers, embedding as wide as the hidden state) for the tests;
// padding (label 0) is ignored by the loss.
import { Embedding, FullyConnected, Reshape, SoftmaxOutput, type Symbol, Variable } from '@bkt/symbol';
import { LSTMCell, SequentialRNNCell } from '@bkt/symbol/rnn';

import type { SymGen } from '../src/index.js';

export function lstmLMSymGen(vocab: number, hidden: number): SymGen {
  return (key) => {
    const stack = new SequentialRNNCell();
    for (let i = 0; i < 2; i++) stack.add(new LSTMCell(hidden, { prefix: `lstm_l${i}_` }));
    const embed = Embedding({ data: Variable('data'), name: 'embed', inputDim: vocab, outputDim: hidden });
    const { outputs } = stack.unroll(key as number, embed, { mergeOutputs: true });
    const pred = FullyConnected({
      data: Reshape({ data: outputs as Symbol, shape: [-1, hidden] }),
      name: 'pred',
      numHidden: vocab,
    });
    const label = Reshape({ data: Variable('softmax_label'), shape: [-1] });
    return [SoftmaxOutput({ data: pred, label, name: 'softmax', useIgnore: true, ignoreLabel: 0 }), ['data'], ['softmax_label']];
  };
}
