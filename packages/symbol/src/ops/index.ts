// Registers every operator of this package. Importing this module has that side effect only.

import { registerOp } from '../registry.js';
import type { AnyOpDef } from '../op-def.js';
import { activation, activationBackward } from './activation.js';
import { addN } from './add-n.js';
import { blockGrad } from './block-grad.js';
import { concat, concatBackward } from './concat.js';
import { copy } from './copy.js';
import { elemwiseAdd, elemwiseAddBackward } from './elemwise-add.js';
import { embedding, embeddingBackward } from './embedding.js';
import { fullyConnected, fullyConnectedBackward } from './fully-connected.js';
import { makeLoss, makeLossBackward } from './make-loss.js';
import { mulScalar, mulScalarBackward } from './mul-scalar.js';
import { backwardCopy, reshape } from './reshape.js';
import { sliceChannel, sliceChannelBackward } from './slice-channel.js';
import { softmaxDeprecated, softmaxOutput, softmaxOutputBackward } from './softmax-output.js';
import { zerosLike } from './zeros-like.js';
// part 2B: layers and RNN
import { batchNorm, batchNormBackward } from './batch-norm.js';
import { convolution, convolutionBackward } from './convolution.js';
import { dropout, dropoutBackward } from './dropout.js';
import { layerNorm, layerNormBackward } from './layer-norm.js';
import { leakyReLU, leakyReLUBackward } from './leaky-relu.js';
import { pooling, poolingBackward } from './pooling.js';
import { reverse, reverseBackward } from './reverse.js';
import { rnn, rnnBackward } from './rnn.js';
import { sequenceLast, sequenceLastBackward } from './sequence-last.js';
import { sequenceMask, sequenceMaskBackward } from './sequence-mask.js';
import { sequenceReverse, sequenceReverseBackward } from './sequence-reverse.js';
import { zeros } from './zeros.js';

export const ALL_OPS: readonly AnyOpDef[] = [
  fullyConnected,
  fullyConnectedBackward,
  activation,
  activationBackward,
  softmaxOutput,
  softmaxDeprecated,
  softmaxOutputBackward,
  embedding,
  embeddingBackward,
  reshape,
  backwardCopy,
  concat,
  concatBackward,
  sliceChannel,
  sliceChannelBackward,
  addN,
  elemwiseAdd,
  elemwiseAddBackward,
  mulScalar,
  mulScalarBackward,
  blockGrad,
  makeLoss,
  makeLossBackward,
  zerosLike,
  copy,
  // part 2B: layers and RNN
  leakyReLU,
  leakyReLUBackward,
  dropout,
  dropoutBackward,
  batchNorm,
  batchNormBackward,
  layerNorm,
  layerNormBackward,
  convolution,
  convolutionBackward,
  pooling,
  poolingBackward,
  sequenceMask,
  sequenceMaskBackward,
  sequenceLast,
  sequenceLastBackward,
  sequenceReverse,
  sequenceReverseBackward,
  rnn,
  rnnBackward,
  reverse,
  reverseBackward,
  zeros,
];

for (const op of ALL_OPS) registerOp(op);
