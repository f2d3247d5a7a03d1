// How each native kernel receives its operator's parameters: a flat list of numbers in the order the
// C++ kernel reads them (documented at the top of each kernel file). Kernels without an entry take none.
import { BindError } from '@bkt/ndarray';
import type { KernelName } from '@bkt/ndarray/internal';

type Params = Record<string, unknown>;
type Packer = (p: Params, node: string) => number[];

const num = (v: unknown): number => (typeof v === 'boolean' ? (v ? 1 : 0) : Number(v));
const index = (values: readonly string[], v: unknown): number => values.indexOf(String(v));

const ACT_TYPES = ['relu', 'sigmoid', 'tanh', 'softrelu', 'softsign'];
const NORMALIZATION = ['null', 'batch', 'valid'];
const RNN_MODES = ['rnn_relu', 'rnn_tanh', 'lstm', 'gru'];
const LEAKY_RELU_TYPES = ['elu', 'gelu', 'leaky', 'prelu', 'rrelu', 'selu'];
const DROPOUT_MODES = ['always', 'training'];

const PACKERS: Partial<Record<KernelName, Packer>> = {
  fully_connected: (p) => [num(p.numHidden), num(p.noBias), num(p.flatten)],
  fully_connected_backward: (p) => [num(p.numHidden), num(p.noBias), num(p.flatten)],
  activation: (p) => [index(ACT_TYPES, p.actType)],
  activation_backward: (p) => [index(ACT_TYPES, p.actType)],
  softmax_output: (p) => softmaxOutput(p),
  softmax_output_backward: (p) => softmaxOutput(p),
  mul_scalar: (p) => [num(p.scalar)],
  rnn: (p, node) => rnn(p, node),
  rnn_backward: (p, node) => rnn(p, node),
  leaky_relu: (p) => leakyReLU(p),
  leaky_relu_backward: (p) => leakyReLU(p),
  dropout: (p) => [num(p.p), index(DROPOUT_MODES, p.mode)],
  dropout_backward: () => [],
  batch_norm: (p) => batchNorm(p),
  batch_norm_backward: (p) => batchNorm(p),
  layer_norm: (p) => [num(p.axis), num(p.eps)],
  layer_norm_backward: (p) => [num(p.axis), num(p.eps)],
  convolution: (p) => convolution(p),
  convolution_backward: (p) => convolution(p),
  pooling: (p) => pooling(p),
  pooling_backward: (p) => pooling(p),
  sequence_mask: (p) => [num(p.useSequenceLength), num(p.value), num(p.axis)],
  sequence_mask_backward: (p) => [num(p.useSequenceLength), num(p.value), num(p.axis)],
  sequence_last: (p) => [num(p.useSequenceLength), num(p.axis)],
  sequence_last_backward: (p) => [num(p.useSequenceLength), num(p.axis)],
  sequence_reverse: (p) => [num(p.useSequenceLength), num(p.axis)],
  sequence_reverse_backward: (p) => [num(p.useSequenceLength), num(p.axis)],
  reverse: (p) => list(p.axis),
  concat: (p) => [num(p.dim)],
  concat_backward: (p) => [num(p.dim)],
  slice_channel: (p) => [num(p.numOutputs), num(p.axis), num(p.squeezeAxis)],
  slice_channel_backward: (p) => [num(p.numOutputs), num(p.axis), num(p.squeezeAxis)],
  make_loss_backward: (p) => [num(p.gradScale), num(p.validThresh), index(NORMALIZATION, p.normalization)],
  clip: (p) => [num(p.aMin), num(p.aMax)],
  clip_backward: (p) => [num(p.aMin), num(p.aMax)],
  plus_scalar: scalar,
  minus_scalar: scalar,
  rminus_scalar: scalar,
  div_scalar: scalar,
  rdiv_scalar: scalar,
  power_scalar: scalar,
  rpower_scalar: scalar,
  maximum_scalar: scalar,
  minimum_scalar: scalar,
  equal_scalar: scalar,
  not_equal_scalar: scalar,
  greater_scalar: scalar,
  greater_equal_scalar: scalar,
  lesser_scalar: scalar,
  lesser_equal_scalar: scalar,
  rdiv_scalar_backward: scalar,
  power_scalar_backward: scalar,
  rpower_scalar_backward: scalar,
  maximum_scalar_backward: scalar,
  minimum_scalar_backward: scalar,
  sum: (p) => reduceAttrs(p),
  mean: (p) => reduceAttrs(p),
  max: (p) => reduceAttrs(p),
  min: (p) => reduceAttrs(p),
  sum_backward: (p) => reduceAttrs(p),
  mean_backward: (p) => reduceAttrs(p),
  max_backward: (p) => reduceAttrs(p),
  min_backward: (p) => reduceAttrs(p),
  norm: (p) => [num(p.ord), ...axisList(p.axis)],
  norm_backward: (p) => [num(p.ord), ...axisList(p.axis)],
  argmax: (p) => optionalAxis(p.axis),
  argmin: (p) => optionalAxis(p.axis),
  dot: (p) => [num(p.transposeA), num(p.transposeB)],
  dot_backward: (p) => [num(p.transposeA), num(p.transposeB)],
  batch_dot: (p) => [num(p.transposeA), num(p.transposeB)],
  transpose: (p) => axisList(p.axes),
  swap_axis: (p) => [num(p.dim1), num(p.dim2)],
  slice_axis: (p) => sliceAxis(p),
  slice_axis_backward: (p) => sliceAxis(p),
  stack: (p) => [num(p.axis)],
  stack_backward: (p) => [num(p.axis)],
  take: (p) => [num(p.axis), index(INDEX_MODES, p.mode)],
  take_backward: (p) => [num(p.axis), index(INDEX_MODES, p.mode)],
  pick: (p) => [num(p.axis), index(INDEX_MODES, p.mode)],
  pick_backward: (p) => [num(p.axis), index(INDEX_MODES, p.mode)],
  one_hot: (p) => [num(p.depth), num(p.onValue), num(p.offValue)],
  softmax: (p) => softmaxAttrs(p),
  softmax_backward: (p) => softmaxAttrs(p),
  log_softmax: (p) => softmaxAttrs(p),
  log_softmax_backward: (p) => softmaxAttrs(p),
  softmax_activation: (p) => [index(SOFTMAX_ACTIVATION_MODES, p.mode)],
  softmax_activation_backward: (p) => [index(SOFTMAX_ACTIVATION_MODES, p.mode)],
  linear_regression_output: (p) => [num(p.gradScale)],
  linear_regression_output_backward: (p) => [num(p.gradScale)],
  logistic_regression_output: (p) => [num(p.gradScale)],
  logistic_regression_output_backward: (p) => [num(p.gradScale)],
  mae_regression_output: (p) => [num(p.gradScale)],
  mae_regression_output_backward: (p) => [num(p.gradScale)],
};

function leakyReLU(p: Params): number[] {
  return [index(LEAKY_RELU_TYPES, p.actType), num(p.slope), num(p.lowerBound), num(p.upperBound)];
}

function batchNorm(p: Params): number[] {
  return [num(p.axis), num(p.eps), num(p.momentum), num(p.fixGamma), num(p.useGlobalStats)];
}

// A per-axis attribute (kernel, stride, axes) as its length followed by its values.
const list = (v: unknown): number[] => {
  const values = (v as readonly number[] | undefined) ?? [];
  return [values.length, ...values.map(num)];
};

function convolution(p: Params): number[] {
  return [num(p.numFilter), num(p.numGroup), num(p.noBias), ...list(p.kernel), ...list(p.stride), ...list(p.dilate), ...list(p.pad)];
}

const POOL_TYPES = ['max', 'avg', 'sum', 'lp'];
const POOLING_CONVENTIONS = ['valid', 'full', 'same'];

function pooling(p: Params): number[] {
  return [
    index(POOL_TYPES, p.poolType),
    num(p.globalPool),
    index(POOLING_CONVENTIONS, p.poolingConvention),
    // MXNet's count_include_pad is optional and true when unset.
    p.countIncludePad === null || p.countIncludePad === undefined ? 1 : num(p.countIncludePad),
    ...list(p.kernel),
    ...list(p.stride),
    ...list(p.pad),
  ];
}

// The `_*_scalar` ops and their backward ops.
function scalar(p: Params): number[] {
  return [num(p.scalar)];
}

// A symbol may carry RNN attributes the native kernel does not implement (MXNet files, ONNX imports
// declare them); binding it is refused, since running it would silently compute something else.
function rnn(p: Params, node: string): number[] {
  const unsupported = [
    p.projectionSize != null && `projectionSize=${String(p.projectionSize)}`,
    p.lstmStateClipMin != null && `lstmStateClipMin=${String(p.lstmStateClipMin)}`,
    p.lstmStateClipMax != null && `lstmStateClipMax=${String(p.lstmStateClipMax)}`,
    p.lstmStateClipNan === true && 'lstmStateClipNan=true',
    p.useSequenceLength === true && 'useSequenceLength=true',
    num(p.p) > 0 && `p=${String(p.p)} (dropout between layers)`,
  ].filter((x): x is string => typeof x === 'string');
  if (unsupported.length > 0) throw new BindError(`bind: ${node}: the RNN kernel does not support ${unsupported.join(', ')} yet`);
  return [index(RNN_MODES, p.mode), num(p.stateSize), num(p.numLayers), num(p.bidirectional), num(p.p), num(p.stateOutputs)];
}

function softmaxOutput(p: Params): number[] {
  return [
    num(p.gradScale),
    num(p.ignoreLabel),
    num(p.multiOutput),
    num(p.useIgnore),
    num(p.preserveShape),
    index(NORMALIZATION, p.normalization),
    num(p.outGrad),
    num(p.smoothAlpha),
  ];
}

/** The kernel's attribute numbers for a node (`node` names it in errors: an unsupported value is a BindError). */
export function packKernelAttrs(kernel: KernelName, params: Params, node: string): number[] {
  return PACKERS[kernel]?.(params, node) ?? [];
}

// The reductions, shape and softmax families (reduce_plan.cc, shape_plan.cc, softmax_plan.cc).
const INDEX_MODES = ['clip', 'wrap', 'raise'];
const SOFTMAX_ACTIVATION_MODES = ['instance', 'channel'];

/** An axis parameter (None, an int or a tuple) as its length followed by the axes; None is empty. */
function axisList(v: unknown): number[] {
  const axes = v === null || v === undefined ? [] : typeof v === 'number' ? [v] : (v as readonly number[]);
  return [axes.length, ...axes.map(num)];
}

function reduceAttrs(p: Params): number[] {
  return [num(p.exclude), ...axisList(p.axis)];
}

function optionalAxis(v: unknown): number[] {
  return v === null || v === undefined ? [0, 0] : [1, num(v)];
}

function sliceAxis(p: Params): number[] {
  return [num(p.axis), num(p.begin), p.end === null ? 0 : 1, p.end === null ? 0 : num(p.end)];
}

function softmaxAttrs(p: Params): number[] {
  return [num(p.axis), p.temperature === null ? 1 : num(p.temperature), num(p.useLength ?? false)];
}
