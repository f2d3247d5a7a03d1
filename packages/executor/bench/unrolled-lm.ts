// The LSTM language model of MXNet's lstm_bucketing.py with unrolled LSTMCells, batch-major (N, T)
// tokens: Embedding → layers × LSTMCell → FullyConnected vocab → SoftmaxOutput. Shared by the benches.
import { Embedding, FullyConnected, Reshape, SoftmaxOutput, type Symbol, Variable } from '@bkt/symbol';
import { LSTMCell, SequentialRNNCell } from '@bkt/symbol/rnn';

export function unrolledLM(o: { seqLen: number; vocab: number; embed: number; hidden: number; layers: number }): Symbol {
  const stack = new SequentialRNNCell();
  for (let i = 0; i < o.layers; i++) stack.add(new LSTMCell(o.hidden, { prefix: `lstm_l${i}_` }));
  const embed = Embedding({ data: Variable('data'), name: 'embed', inputDim: o.vocab, outputDim: o.embed });
  const { outputs } = stack.unroll(o.seqLen, embed, { mergeOutputs: true });
  const pred = FullyConnected({
    data: Reshape({ data: outputs as Symbol, shape: [-1, o.hidden] }),
    name: 'pred',
    numHidden: o.vocab,
  });
  return SoftmaxOutput({ data: pred, label: Reshape({ data: Variable('softmax_label'), shape: [-1] }), name: 'softmax' });
}
