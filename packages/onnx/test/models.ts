// The models the tests export: an MLP, a small CNN with BatchNorm, and the trainer's LM in small.

import {
  Activation,
  BatchNorm,
  Convolution,
  Embedding,
  Flatten,
  FullyConnected,
  Pooling,
  Reshape,
  SoftmaxOutput,
  type Symbol,
  Variable,
  softmax,
} from '@bkt/symbol';
import { FusedRNNCell, GRUCell, LSTMCell, SequentialRNNCell } from '@bkt/symbol/rnn';

export function mlp(): Symbol {
  let x = FullyConnected({ data: Variable('data'), name: 'fc1', numHidden: 16 });
  x = Activation({ data: x, name: 'relu1', actType: 'relu' });
  x = FullyConnected({ data: x, name: 'fc2', numHidden: 8 });
  x = Activation({ data: x, name: 'tanh2', actType: 'tanh' });
  x = FullyConnected({ data: x, name: 'fc3', numHidden: 5 });
  return SoftmaxOutput({ data: x, name: 'softmax' });
}

export function cnn(): Symbol {
  let x = Convolution({ data: Variable('data'), name: 'conv1', kernel: [3, 3], pad: [1, 1], numFilter: 4 });
  x = BatchNorm({ data: x, name: 'bn1', fixGamma: false });
  x = Activation({ data: x, name: 'relu1', actType: 'relu' });
  x = Pooling({ data: x, name: 'pool1', kernel: [2, 2], stride: [2, 2], poolType: 'max' });
  x = Convolution({ data: x, name: 'conv2', kernel: [3, 3], numFilter: 6, noBias: true });
  x = BatchNorm({ data: x, name: 'bn2' });
  x = Activation({ data: x, name: 'sig2', actType: 'sigmoid' });
  x = Pooling({ data: x, name: 'pool2', kernel: [2, 2], stride: [1, 1], poolType: 'avg' });
  x = FullyConnected({ data: Flatten({ data: x, name: 'flat' }), name: 'fc', numHidden: 3 });
  return SoftmaxOutput({ data: x, name: 'softmax' });
}

export const VOCAB = 17;
export const HIDDEN = 8;

/** The LM of apps/trainer's model.ts, small: Embedding → 2-layer RNN → FullyConnected → SoftmaxOutput. */
export function lm(cell: 'lstm' | 'gru', fused: boolean, seqLen: number): Symbol {
  const embed = Embedding({ data: Variable('data'), inputDim: VOCAB, outputDim: 6, name: 'embed' });
  let cells: FusedRNNCell | SequentialRNNCell;
  if (fused) cells = new FusedRNNCell(HIDDEN, { numLayers: 2, mode: cell, prefix: `${cell}_` });
  else {
    cells = new SequentialRNNCell();
    for (let i = 0; i < 2; i++)
      cells.add(
        cell === 'lstm' ? new LSTMCell(HIDDEN, { prefix: `${cell}_l${i}_` }) : new GRUCell(HIDDEN, { prefix: `${cell}_l${i}_` }),
      );
  }
  const { outputs } = cells.unroll(seqLen, embed, { layout: fused ? 'TNC' : 'NTC', mergeOutputs: true });
  const pred = FullyConnected({
    data: Reshape({ data: outputs as Symbol, shape: [-1, HIDDEN] }),
    numHidden: VOCAB,
    name: 'pred',
  });
  const label = Reshape({ data: Variable('softmax_label'), shape: [-1] });
  return SoftmaxOutput({ data: pred, label, name: 'softmax', useIgnore: true, ignoreLabel: 0 });
}

/** FullyConnected without flatten on (N, T, C) data: MatMul by Wᵀ plus the bias over the last axis. */
export function sequenceMlp(): Symbol {
  let x = FullyConnected({ data: Variable('data'), name: 'fc1', numHidden: 5, flatten: false });
  x = Activation({ data: x, name: 'soft1', actType: 'softrelu' });
  x = FullyConnected({ data: x, name: 'fc2', numHidden: 3, flatten: false, noBias: true });
  return softmax({ data: x, name: 'probs', axis: -1 });
}
