// The language model of MXNet's lstm_bucketing.py with unrolled LSTMCells (or GRUCells), batch-major
// (N, T) tokens: Embedding → layers × cell → FullyConnected vocab → SoftmaxOutput. Shared by the benches.
import { Embedding, FullyConnected, Reshape, SoftmaxOutput, type Symbol, Variable } from '@bkt/symbol';
import { GRUCell, LSTMCell, SequentialRNNCell } from '@bkt/symbol/rnn';

import type { LMBenchCell } from './lm-options.js';

export function unrolledLM(o: {
  seqLen: number;
  vocab: number;
  embed: number;
  hidden: number;
  layers: number;
  cell?: LMBenchCell;
}): Symbol {
  const cell = o.cell ?? 'lstm';
  const stack = new SequentialRNNCell();
  for (let i = 0; i < o.layers; i++) {
    const prefix = `${cell}_l${i}_`;
    stack.add(cell === 'gru' ? new GRUCell(o.hidden, { prefix }) : new LSTMCell(o.hidden, { prefix }));
  }
  const embed = Embedding({ data: Variable('data'), name: 'embed', inputDim: o.vocab, outputDim: o.embed });
  const { outputs } = stack.unroll(o.seqLen, embed, { mergeOutputs: true });
  const pred = FullyConnected({
    data: Reshape({ data: outputs as Symbol, shape: [-1, o.hidden] }),
    name: 'pred',
    numHidden: o.vocab,
  });
  return SoftmaxOutput({ data: pred, label: Reshape({ data: Variable('softmax_label'), shape: [-1] }), name: 'softmax' });
}
