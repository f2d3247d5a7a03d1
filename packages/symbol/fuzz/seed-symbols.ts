// The real symbols the JSON fuzzer starts from, each with input shapes that make its inference
// complete: the bucketing LSTM language model (unrolled cells and the fused RNN op), an MLP with
// BatchNorm and Dropout, GRU and bidirectional cells, and a SliceChannel/Concat graph.
import {
  Activation,
  BatchNorm,
  Concat,
  Dropout,
  Embedding,
  FullyConnected,
  NameManager,
  RNN,
  Reshape,
  SliceChannel,
  SoftmaxOutput,
  type Symbol,
  Variable,
  withNameManager,
} from '../src/index.js';
import { BidirectionalCell, GRUCell, LSTMCell, SequentialRNNCell } from '../src/rnn/index.js';

export interface SeedSymbol {
  name: string;
  json: string;
  shapes: Record<string, number[]>;
}

const T = 3;
const BATCH = 2;

function lstmLM(): Symbol {
  const stack = new SequentialRNNCell();
  for (let i = 0; i < 2; i++) stack.add(new LSTMCell(8, { prefix: `lstm_l${i}_` }));
  const embed = Embedding({ data: Variable('data'), inputDim: 20, outputDim: 6, name: 'embed' });
  const { outputs } = stack.unroll(T, embed, { mergeOutputs: true });
  const pred = FullyConnected({ data: Reshape({ data: outputs, shape: [-1, 8] }), numHidden: 20, name: 'pred' });
  return SoftmaxOutput({ data: pred, label: Reshape({ data: Variable('softmax_label'), shape: [-1] }), name: 'softmax' });
}

function fusedLM(): Symbol {
  const embed = Embedding({ data: Variable('data'), inputDim: 20, outputDim: 6, name: 'embed' });
  const lstm = RNN({ data: embed, name: 'lstm', mode: 'lstm', stateSize: 8, numLayers: 2 });
  const pred = FullyConnected({ data: Reshape({ data: lstm, shape: [-1, 8] }), name: 'pred', numHidden: 20 });
  return SoftmaxOutput({ data: pred, label: Reshape({ data: Variable('softmax_label'), shape: [-1] }), name: 'softmax' });
}

function mlp(): Symbol {
  let net = FullyConnected({ data: Variable('data'), name: 'fc1', numHidden: 16 });
  net = BatchNorm({ data: net, name: 'bn1' });
  net = Activation({ data: net, name: 'relu1', actType: 'relu' });
  net = Dropout({ data: net, name: 'drop1', p: 0.5 });
  net = FullyConnected({ data: net, name: 'fc2', numHidden: 10 });
  return SoftmaxOutput({ data: net, name: 'softmax' });
}

function cells(): Symbol {
  const gru = new GRUCell(5, { prefix: 'gru_' });
  const bi = new BidirectionalCell(new LSTMCell(4, { prefix: 'l_' }), new LSTMCell(4, { prefix: 'r_' }));
  const first = gru.unroll(T, Variable('data'), { mergeOutputs: false });
  const second = bi.unroll(T, first.outputs, { mergeOutputs: true });
  return second.outputs as Symbol;
}

function splitJoin(): Symbol {
  const parts = SliceChannel({ data: Variable('data'), numOutputs: 4, axis: 1, name: 'split' });
  const acts = Array.from({ length: 4 }, (_, i) => Activation({ data: parts.at(i), actType: 'tanh', name: `act${i}` }));
  return Concat({ data: acts, dim: 1, name: 'join' });
}

export function seedSymbols(): SeedSymbol[] {
  const make = (name: string, build: () => Symbol, shapes: Record<string, number[]>): SeedSymbol =>
    withNameManager(new NameManager(), () => ({ name, json: build().toJSON(), shapes }));
  return [
    make('lstm-lm', lstmLM, { data: [BATCH, T], softmax_label: [BATCH, T] }),
    make('fused-lm', fusedLM, { data: [T, BATCH], softmax_label: [T, BATCH] }),
    make('mlp', mlp, { data: [BATCH, 12], softmax_label: [BATCH] }),
    make('rnn-cells', cells, { data: [BATCH, T, 6] }),
    make('split-join', splitJoin, { data: [BATCH, 8] }),
  ];
}
