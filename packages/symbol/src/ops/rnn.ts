// RNN: the fused multi-layer (optionally bidirectional) recurrent layer, as cuDNN lays it out.
// data is (T, N, input size) (layout TNC); state and state_cell (LSTM only) are
// (layers·directions, N, state_size); all weights and biases live in ONE 1-D `parameters` vector.
// Outputs: (T, N, directions·state_size) and, with state_outputs, the final state (and cell).
//
// parameters layout (MXNet's; see FusedRNNCell.unpackWeights): first every weight matrix, for
// each layer, for each direction (left to right, then right to left), the i2h matrices of each
// gate (state_size × input size for layer 0, state_size × directions·state_size above) then the
// h2h matrices of each gate (state_size × state_size); then every bias in the same order, i2h
// then h2h, state_size each. Gates: lstm i, f, c, o; gru r, z, n; rnn_* one.

import { RNN_MODES, type RnnMode } from '@bkt/ndarray/core';
import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp } from '../op-def.js';
import { defineBackward, uniformTypeExcept, type Ref } from './common.js';

export { RNN_MODES };
export type RNNMode = RnnMode;

/** The gates of each mode, in the order their rows are stacked in the weights (MXNet's gate names). */
export const RNN_GATES: Readonly<Record<RNNMode, readonly string[]>> = {
  rnn_relu: [''],
  rnn_tanh: [''],
  lstm: ['_i', '_f', '_c', '_o'],
  gru: ['_r', '_z', '_o'],
};

const spec = {
  stateSize: attr.int({ required: true, min: 1, describe: 'Hidden state size of each layer.' }),
  numLayers: attr.int({ required: true, min: 1, describe: 'Number of stacked layers.' }),
  bidirectional: attr.bool(false, { describe: 'Also run each layer right to left.' }),
  mode: attr.enumOf(RNN_MODES, { required: true, describe: 'Cell type.' }),
  p: attr.float({ default: 0, min: 0, max: 1, describe: 'Dropout on the outputs of each layer but the last.' }),
  stateOutputs: attr.bool(false, { describe: 'Output the final states.' }),
  projectionSize: attr.optional(attr.int({ min: 1 }), { describe: 'LSTM projection size (LSTMP).' }),
  lstmStateClipMin: attr.optional(attr.float(), { describe: 'Lower clip of the LSTM cell state.' }),
  lstmStateClipMax: attr.optional(attr.float(), { describe: 'Upper clip of the LSTM cell state.' }),
  lstmStateClipNan: attr.bool(false, { describe: 'Clip NaN cell states to the clip range.' }),
  useSequenceLength: attr.bool(false, { describe: 'Read valid lengths from sequence_length.' }),
};
export type RNNOpParams = ParamsOf<typeof spec>;

/** What the length of `parameters` depends on. */
export interface RNNLayout {
  mode: RNNMode;
  numLayers: number;
  bidirectional: boolean;
  stateSize: number;
  inputSize: number;
  projectionSize?: number | null;
}

// MXNet's GetRnnParamSize is linear in the input size I: perInput·I + rest. Only layer 0's i2h
// weights depend on I (one row of I per gate, state and direction).
function sizeTerms(o: Omit<RNNLayout, 'inputSize'>): { perInput: number; rest: number } {
  const dirs = o.bidirectional ? 2 : 1;
  const block = o.stateSize * dirs * RNN_GATES[o.mode].length;
  const r = o.projectionSize ?? o.stateSize;
  const upper = (o.numLayers - 1) * (r * dirs + r + 2) * block;
  const projection = o.projectionSize ? r * o.stateSize * o.numLayers * dirs : 0;
  return { perInput: block, rest: (r + 2) * block + upper + projection };
}

/** The length of the fused `parameters` vector (MXNet's GetRnnParamSize). */
export function rnnParamSize(o: RNNLayout): number {
  const { perInput, rest } = sizeTerms(o);
  return perInput * o.inputSize + rest;
}

/** The input size a `parameters` vector of `size` elements was made for, or undefined if none. */
export function rnnInputSize(o: Omit<RNNLayout, 'inputSize'>, size: number): number | undefined {
  const { perInput, rest } = sizeTerms(o);
  const i = (size - rest) / perInput;
  return Number.isInteger(i) && i > 0 ? i : undefined;
}

const first = (...dims: (number | undefined)[]): number => dims.find((d) => d !== undefined && d !== 0) ?? 0;

export const rnn = defineOp<RNNOpParams>({
  name: 'RNN',
  describe: 'Fused multi-layer RNN, LSTM or GRU over a whole sequence (layout TNC).',
  attrs: new AttrSchema(spec),
  inputNames: (p) => [
    'data',
    'parameters',
    'state',
    ...(p.mode === 'lstm' ? ['state_cell'] : []),
    ...(p.useSequenceLength ? ['sequence_length'] : []),
  ],
  // MXNet's outputs plus one hidden `workspace`: what training forward keeps for backward (activated
  // gates, LSTM cells, lower layers' outputs) and backward's scratch, so no kernel allocates per step.
  numOutputs: (p) => visibleOutputs(p) + 1,
  numVisibleOutputs: visibleOutputs,
  outputNames: (p) => [
    ...(p.stateOutputs ? ['output', 'state_output', ...(p.mode === 'lstm' ? ['statecell_output'] : [])] : ['output']),
    'workspace',
  ],
  inferShape(ctx) {
    const p = ctx.params;
    const lstm = p.mode === 'lstm';
    const dirs = p.bidirectional ? 2 : 1;
    const stacks = p.numLayers * dirs;
    const h = p.stateSize;
    const r = p.projectionSize ?? h;
    const data = ctx.inputs[0];
    if (data && data.length !== 3) ctx.fail('data must be (sequence length, batch size, input size)');

    // Every entry that mentions T, N or the input size tells it, whichever direction it comes from.
    const rank3 = (s: readonly number[] | undefined): readonly number[] | undefined => (s?.length === 3 ? s : undefined);
    const states = [ctx.inputs[2], lstm ? ctx.inputs[3] : undefined, ...ctx.outputs.slice(1)].map(rank3);
    const out = rank3(ctx.outputs[0]);
    const seqLen = p.useSequenceLength ? ctx.inputs[lstm ? 4 : 3] : undefined;
    const t = first(data?.[0], out?.[0]);
    const n = first(data?.[1], out?.[1], ...states.map((s) => s?.[1]), seqLen?.length === 1 ? seqLen[0] : 0);
    const params = ctx.inputs[1];
    let inputSize = first(data?.[2]);
    if (inputSize === 0 && params?.length === 1 && params[0] !== 0) {
      const fromParams = rnnInputSize(p, params[0]!);
      if (fromParams === undefined) ctx.fail(`no input size fits a parameters vector of ${params[0]} elements`);
      inputSize = fromParams!;
    }

    ctx.setInput(0, [t, n, inputSize]);
    if (inputSize !== 0) ctx.setInput(1, [rnnParamSize({ ...p, inputSize })]);
    ctx.setInput(2, [stacks, n, r]);
    if (lstm) ctx.setInput(3, [stacks, n, h]);
    if (p.useSequenceLength) ctx.setInput(lstm ? 4 : 3, [n]);
    ctx.setOutput(0, [t, n, dirs * r]);
    if (p.stateOutputs) {
      ctx.setOutput(1, [stacks, n, r]);
      if (lstm) ctx.setOutput(2, [stacks, n, h]);
    }
    if (t !== 0 && n !== 0) ctx.setOutput(visibleOutputs(p), [rnnWorkspaceSize(p, t, n)]);
  },
  inferType: (ctx) => uniformTypeExcept(ctx, ctx.params.mode === 'lstm' ? 4 : 3),
  gradient(ctx) {
    const ins = backwardInputs(ctx.params).map(([name, [kind, i]]) =>
      kind === 'fwdIn' ? ctx.input(i) : name.endsWith('_grad') ? ctx.ograd(i) : ctx.output(i),
    );
    const bwd = ctx.makeNode('_backward_RNN', ins);
    return ctx.node.inputs.map((_, i) => ctx.entry(bwd, i));
  },
  kernels: { forward: 'rnn' },
});

function visibleOutputs(p: RNNOpParams): number {
  return p.stateOutputs ? (p.mode === 'lstm' ? 3 : 2) : 1;
}

/**
 * Elements of the hidden workspace output; the native kernel checks it against the same formula.
 * Per layer and direction and per position: lstm keeps 5 values per hidden unit (4 gates and the
 * cell), gru 7 (3 gates, the h2h candidate, 3 for backward), a plain rnn 1; then the outputs of all
 * but the last layer, two gradient buffers of a layer's output, and the carried dh and dc.
 */
export function rnnWorkspaceSize(p: RNNOpParams, seqLen: number, batch: number): number {
  const dirs = p.bidirectional ? 2 : 1;
  const tn = seqLen * batch;
  const h = p.stateSize;
  const perPosition = p.mode === 'lstm' ? 5 : p.mode === 'gru' ? 7 : 1;
  const layerOut = tn * dirs * h;
  return p.numLayers * dirs * tn * perPosition * h + (p.numLayers - 1) * layerOut + 2 * layerOut + 2 * dirs * batch * h;
}

// The backward kernel's inputs: the forward inputs, the output, the workspace, then the gradient of
// each visible output (`*_grad`, which carries that output's shape).
function backwardInputs(p: RNNOpParams): [string, Ref][] {
  const lstm = p.mode === 'lstm';
  const workspace = visibleOutputs(p);
  return [
    ['data', ['fwdIn', 0]],
    ['parameters', ['fwdIn', 1]],
    ['state', ['fwdIn', 2]],
    ...(lstm ? ([['state_cell', ['fwdIn', 3]]] as [string, Ref][]) : []),
    ['out_data', ['fwdOut', 0]],
    ['workspace', ['fwdOut', workspace]],
    ['out_grad', ['fwdOut', 0]],
    ...(p.stateOutputs ? ([['state_output_grad', ['fwdOut', 1]]] as [string, Ref][]) : []),
    ...(lstm && p.stateOutputs ? ([['statecell_output_grad', ['fwdOut', 2]]] as [string, Ref][]) : []),
  ];
}

/** One gradient per forward input (sequence_length's is zeros). */
export const rnnBackward = defineBackward(rnn, {
  name: '_backward_RNN',
  kernel: 'rnn_backward',
  inputs: backwardInputs,
  numOutputs: (p) => rnn.inputNames(p).length,
});
