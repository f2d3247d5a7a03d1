// How each native kernel receives its operator's parameters: a flat list of numbers in the order the
// C++ kernel reads them (documented at the top of each kernel file). Kernels without an entry take none.
import type { KernelName } from '@bkt/ndarray';

type Params = Record<string, unknown>;
type Packer = (p: Params) => number[];

const num = (v: unknown): number => (typeof v === 'boolean' ? (v ? 1 : 0) : Number(v));
const index = (values: readonly string[], v: unknown): number => values.indexOf(String(v));

const ACT_TYPES = ['relu', 'sigmoid', 'tanh', 'softrelu', 'softsign'];
const NORMALIZATION = ['null', 'batch', 'valid'];
const RNN_MODES = ['rnn_relu', 'rnn_tanh', 'lstm', 'gru'];

const PACKERS: Partial<Record<KernelName, Packer>> = {
  fully_connected: (p) => [num(p.numHidden), num(p.noBias), num(p.flatten)],
  fully_connected_backward: (p) => [num(p.numHidden), num(p.noBias), num(p.flatten)],
  activation: (p) => [index(ACT_TYPES, p.actType)],
  activation_backward: (p) => [index(ACT_TYPES, p.actType)],
  softmax_output: (p) => softmaxOutput(p),
  softmax_output_backward: (p) => softmaxOutput(p),
  mul_scalar: (p) => [num(p.scalar)],
  rnn: (p) => rnn(p),
  rnn_backward: (p) => rnn(p),
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
};

// The `_*_scalar` ops and their backward ops.
function scalar(p: Params): number[] {
  return [num(p.scalar)];
}

function rnn(p: Params): number[] {
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

export function packKernelAttrs(kernel: KernelName, params: Params): number[] {
  return PACKERS[kernel]?.(params) ?? [];
}
