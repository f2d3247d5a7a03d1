// One creator function per operator (and per MXNet alias), as mx.sym exposes them. The function
// name, lowercased, is the hint for automatic node names (`FullyConnected` -> `fullyconnected0`,
// `split` -> `split0`).

import { makeCreator, makeVarCreator } from './creator.js';
import { activation, type ActivationParams } from './ops/activation.js';
import { addN, type AddNParams } from './ops/add-n.js';
import { blockGrad } from './ops/block-grad.js';
import { concat as concatOp, type ConcatParams } from './ops/concat.js';
import { copy } from './ops/copy.js';
import { elemwiseAdd } from './ops/elemwise-add.js';
import { embedding, type EmbeddingParams } from './ops/embedding.js';
import { fullyConnected, type FullyConnectedParams } from './ops/fully-connected.js';
import { makeLoss, type MakeLossParams } from './ops/make-loss.js';
import { mulScalar, type MulScalarParams } from './ops/mul-scalar.js';
import { reshape as reshapeOp, type ReshapeParams } from './ops/reshape.js';
import { sliceChannel, type SliceChannelParams } from './ops/slice-channel.js';
import { softmaxOutput, type SoftmaxOutputParams } from './ops/softmax-output.js';
import { zerosLike } from './ops/zeros-like.js';
// part 2B: layers and RNN
import type { Creator, OpArgs } from './creator.js';
import { batchNorm, type BatchNormParams } from './ops/batch-norm.js';
import { convolution, type ConvolutionParams } from './ops/convolution.js';
import { dropout, type DropoutParams } from './ops/dropout.js';
import { layerNorm, type LayerNormParams } from './ops/layer-norm.js';
import { leakyReLU, type LeakyReLUParams } from './ops/leaky-relu.js';
import { pooling, type PoolingParams } from './ops/pooling.js';
import { reverse as reverseOp, type ReverseParams } from './ops/reverse.js';
import { rnn, type RNNOpParams } from './ops/rnn.js';
import { sequenceLast, type SequenceLastParams } from './ops/sequence-last.js';
import { sequenceMask, type SequenceMaskParams } from './ops/sequence-mask.js';
import { sequenceReverse, type SequenceReverseParams } from './ops/sequence-reverse.js';
import { zeros as zerosOp, type ZerosParams } from './ops/zeros.js';

type NoParams = Record<never, never>;

export const FullyConnected = makeCreator<FullyConnectedParams, 'data' | 'weight' | 'bias'>(fullyConnected, 'FullyConnected');
export const Activation = makeCreator<ActivationParams, 'data'>(activation, 'Activation');
export const SoftmaxOutput = makeCreator<SoftmaxOutputParams, 'data' | 'label'>(softmaxOutput, 'SoftmaxOutput');
export const Embedding = makeCreator<EmbeddingParams, 'data' | 'weight'>(embedding, 'Embedding');
export const Reshape = makeCreator<ReshapeParams, 'data'>(reshapeOp, 'Reshape');
export const reshape = makeCreator<ReshapeParams, 'data'>(reshapeOp, 'reshape');
export const Concat = makeVarCreator<ConcatParams, 'data'>(concatOp, 'Concat');
export const concat = makeVarCreator<ConcatParams, 'data'>(concatOp, 'concat');
export const SliceChannel = makeCreator<SliceChannelParams, 'data'>(sliceChannel, 'SliceChannel');
export const split = makeCreator<SliceChannelParams, 'data'>(sliceChannel, 'split');
export const ElementWiseSum = makeVarCreator<AddNParams, 'args'>(addN, 'ElementWiseSum');
export const add_n = makeVarCreator<AddNParams, 'args'>(addN, 'add_n');
export const elemwise_add = makeCreator<NoParams, 'lhs' | 'rhs'>(elemwiseAdd, 'elemwise_add');
export const _plus = makeCreator<NoParams, 'lhs' | 'rhs'>(elemwiseAdd, '_plus');
export const _mul_scalar = makeCreator<MulScalarParams, 'data'>(mulScalar, '_mul_scalar');
export const BlockGrad = makeCreator<NoParams, 'data'>(blockGrad, 'BlockGrad');
export const stop_gradient = makeCreator<NoParams, 'data'>(blockGrad, 'stop_gradient');
export const MakeLoss = makeCreator<MakeLossParams, 'data'>(makeLoss, 'MakeLoss');
export const zeros_like = makeCreator<NoParams, 'data'>(zerosLike, 'zeros_like');
export const identity = makeCreator<NoParams, 'data'>(copy, 'identity');
export const _copy = makeCreator<NoParams, 'data'>(copy, '_copy');

// part 2B: layers and RNN
type SeqInputs = 'data' | 'sequence_length';
export const LeakyReLU = makeCreator<LeakyReLUParams, 'data' | 'gamma'>(leakyReLU, 'LeakyReLU');
export const Dropout = makeCreator<DropoutParams, 'data'>(dropout, 'Dropout');
export const BatchNorm = makeCreator<BatchNormParams, 'data' | 'gamma' | 'beta' | 'moving_mean' | 'moving_var'>(batchNorm, 'BatchNorm');
export const LayerNorm = makeCreator<LayerNormParams, 'data' | 'gamma' | 'beta'>(layerNorm, 'LayerNorm');
export const Convolution = makeCreator<ConvolutionParams, 'data' | 'weight' | 'bias'>(convolution, 'Convolution');
export const Pooling = makeCreator<PoolingParams, 'data'>(pooling, 'Pooling');
export const SequenceMask = makeCreator<SequenceMaskParams, SeqInputs>(sequenceMask, 'SequenceMask');
export const SequenceLast = makeCreator<SequenceLastParams, SeqInputs>(sequenceLast, 'SequenceLast');
export const SequenceReverse = makeCreator<SequenceReverseParams, SeqInputs>(sequenceReverse, 'SequenceReverse');
export const RNN = makeCreator<RNNOpParams, 'data' | 'parameters' | 'state' | 'state_cell' | 'sequence_length'>(rnn, 'RNN');
export const reverse = makeCreator<ReverseParams, 'data'>(reverseOp, 'reverse');
export const flip = makeCreator<ReverseParams, 'data'>(reverseOp, 'flip');
export const _zeros = makeCreator<ZerosParams, never>(zerosOp, '_zeros');
/** `mx.sym.zeros`: `_zeros` with dtype float32 unless given (written out, as MXNet's front end does). */
export const zeros: Creator<OpArgs<ZerosParams, never>> = (args) => _zeros({ dtype: 'float32', ...args });
