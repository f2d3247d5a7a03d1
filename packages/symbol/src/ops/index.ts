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
// layers and RNN
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
// math and shape ops
import { exp } from './exp.js';
import { log, logBackward } from './log.js';
import { sqrt, sqrtBackward } from './sqrt.js';
import { rsqrt, rsqrtBackward } from './rsqrt.js';
import { square, squareBackward } from './square.js';
import { abs, absBackward } from './abs.js';
import { sign, signBackward } from './sign.js';
import { tanh, tanhBackward } from './tanh.js';
import { sigmoid, sigmoidBackward } from './sigmoid.js';
import { relu, reluBackward } from './relu.js';
import { softsign, softsignBackward } from './softsign.js';
import { negative } from './negative.js';
import { reciprocal, reciprocalBackward } from './reciprocal.js';
import { erf, erfBackward } from './erf.js';
import { clip, clipBackward } from './clip.js';
import { plusScalar } from './plus-scalar.js';
import { minusScalar } from './minus-scalar.js';
import { rminusScalar } from './rminus-scalar.js';
import { divScalar } from './div-scalar.js';
import { rdivScalar, rdivScalarBackward } from './rdiv-scalar.js';
import { powerScalar, powerScalarBackward } from './power-scalar.js';
import { rpowerScalar, rpowerScalarBackward } from './rpower-scalar.js';
import { maximumScalar, maximumScalarBackward } from './maximum-scalar.js';
import { minimumScalar, minimumScalarBackward } from './minimum-scalar.js';
import { equalScalar } from './equal-scalar.js';
import { notEqualScalar } from './not-equal-scalar.js';
import { greaterScalar } from './greater-scalar.js';
import { greaterEqualScalar } from './greater-equal-scalar.js';
import { lesserScalar } from './lesser-scalar.js';
import { lesserEqualScalar } from './lesser-equal-scalar.js';
import { elemwiseSub, elemwiseSubBackward } from './elemwise-sub.js';
import { elemwiseMul, elemwiseMulBackward } from './elemwise-mul.js';
import { elemwiseDiv, elemwiseDivBackward } from './elemwise-div.js';
import { power, powerBackward } from './power.js';
import { maximum, maximumBackward } from './maximum.js';
import { minimum, minimumBackward } from './minimum.js';
import { broadcastAdd, broadcastAddBackward } from './broadcast-add.js';
import { broadcastSub, broadcastSubBackward } from './broadcast-sub.js';
import { broadcastMul, broadcastMulBackward } from './broadcast-mul.js';
import { broadcastDiv, broadcastDivBackward } from './broadcast-div.js';
import { broadcastPower, broadcastPowerBackward } from './broadcast-power.js';
import { broadcastMaximum, broadcastMaximumBackward } from './broadcast-maximum.js';
import { broadcastMinimum, broadcastMinimumBackward } from './broadcast-minimum.js';
import { broadcastEqual } from './broadcast-equal.js';
import { broadcastNotEqual } from './broadcast-not-equal.js';
import { broadcastGreater } from './broadcast-greater.js';
import { broadcastGreaterEqual } from './broadcast-greater-equal.js';
import { broadcastLesser } from './broadcast-lesser.js';
import { broadcastLesserEqual } from './broadcast-lesser-equal.js';
import { sum, sumBackward } from './sum.js';
import { mean, meanBackward } from './mean.js';
import { max, maxBackward } from './max.js';
import { min, minBackward } from './min.js';
import { norm, normBackward } from './norm.js';
import { argmax } from './argmax.js';
import { argmin } from './argmin.js';
import { dot, dotBackward } from './dot.js';
import { batchDot } from './batch-dot.js';
import { flatten } from './flatten.js';
import { backwardReshape, expandDims } from './expand-dims.js';
import { squeeze, squeezeBackward } from './squeeze.js';
import { transpose } from './transpose.js';
import { swapAxis, swapAxisBackward } from './swap-axis.js';
import { pad, padBackward } from './pad.js';
import { sliceAxis, sliceAxisBackward } from './slice-axis.js';
import { stack, stackBackward } from './stack.js';
import { take, takeBackward } from './take.js';
import { pick, pickBackward } from './pick.js';
import { oneHot } from './one-hot.js';
import { where, whereBackward } from './where.js';
import { onesLike } from './ones-like.js';
import { cast, castBackward } from './cast.js';
import { softmax, softmaxBackward } from './softmax.js';
import { logSoftmax, logSoftmaxBackward } from './log-softmax.js';
import { softmaxActivation, softmaxActivationBackward } from './softmax-activation.js';
import { linearRegressionOutput, linearRegressionOutputBackward } from './linear-regression-output.js';
import { logisticRegressionOutput, logisticRegressionOutputBackward } from './logistic-regression-output.js';
import { maeRegressionOutput, maeRegressionOutputBackward } from './mae-regression-output.js';

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
  // layers and RNN
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
  // math and shape ops
  exp,
  log,
  logBackward,
  sqrt,
  sqrtBackward,
  rsqrt,
  rsqrtBackward,
  square,
  squareBackward,
  abs,
  absBackward,
  sign,
  signBackward,
  tanh,
  tanhBackward,
  sigmoid,
  sigmoidBackward,
  relu,
  reluBackward,
  softsign,
  softsignBackward,
  negative,
  reciprocal,
  reciprocalBackward,
  erf,
  erfBackward,
  clip,
  clipBackward,
  plusScalar,
  minusScalar,
  rminusScalar,
  divScalar,
  rdivScalar,
  rdivScalarBackward,
  powerScalar,
  powerScalarBackward,
  rpowerScalar,
  rpowerScalarBackward,
  maximumScalar,
  maximumScalarBackward,
  minimumScalar,
  minimumScalarBackward,
  equalScalar,
  notEqualScalar,
  greaterScalar,
  greaterEqualScalar,
  lesserScalar,
  lesserEqualScalar,
  elemwiseSub,
  elemwiseSubBackward,
  elemwiseMul,
  elemwiseMulBackward,
  elemwiseDiv,
  elemwiseDivBackward,
  power,
  powerBackward,
  maximum,
  maximumBackward,
  minimum,
  minimumBackward,
  broadcastAdd,
  broadcastAddBackward,
  broadcastSub,
  broadcastSubBackward,
  broadcastMul,
  broadcastMulBackward,
  broadcastDiv,
  broadcastDivBackward,
  broadcastPower,
  broadcastPowerBackward,
  broadcastMaximum,
  broadcastMaximumBackward,
  broadcastMinimum,
  broadcastMinimumBackward,
  broadcastEqual,
  broadcastNotEqual,
  broadcastGreater,
  broadcastGreaterEqual,
  broadcastLesser,
  broadcastLesserEqual,
  sum,
  sumBackward,
  mean,
  meanBackward,
  max,
  maxBackward,
  min,
  minBackward,
  norm,
  normBackward,
  argmax,
  argmin,
  dot,
  dotBackward,
  batchDot,
  flatten,
  expandDims,
  backwardReshape,
  squeeze,
  squeezeBackward,
  transpose,
  swapAxis,
  swapAxisBackward,
  sliceAxis,
  sliceAxisBackward,
  pad,
  padBackward,
  stack,
  stackBackward,
  take,
  takeBackward,
  pick,
  pickBackward,
  oneHot,
  where,
  whereBackward,
  onesLike,
  cast,
  castBackward,
  softmax,
  softmaxBackward,
  logSoftmax,
  logSoftmaxBackward,
  softmaxActivation,
  softmaxActivationBackward,
  linearRegressionOutput,
  linearRegressionOutputBackward,
  logisticRegressionOutput,
  logisticRegressionOutputBackward,
  maeRegressionOutput,
  maeRegressionOutputBackward,
];

for (const op of ALL_OPS) registerOp(op);
