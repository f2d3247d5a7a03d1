// LSTM / GRU / RNN (one layer each) → bkt's fused RNN op with one layer: W, R and the two biases
// packed into `parameters` in MXNet's layout and gate order (the inverse of the export mapping).
// ONNX's Y is (T, directions, N, H); the RNN op gives (T, N, directions·H), reshaped to match.
// Initial states that are absent or known zeros become `_zeros` begin states.

import type { Symbol } from '@bkt/symbol';
import { ONNX_GATE_SOURCES, type RNNModeName, inverseOrder, permuteGates } from '../../rnn-gates.js';
import type { ImportContext } from '../context.js';
import { registerImporter } from '../registry.js';

function modeOf(ctx: ImportContext): RNNModeName {
  if (ctx.opType === 'LSTM') return 'lstm';
  if (ctx.opType === 'GRU') return 'gru';
  const acts = ctx.strings('activations') ?? ['Tanh'];
  if (acts.every((a) => a === 'Tanh')) return 'rnn_tanh';
  if (acts.every((a) => a === 'Relu')) return 'rnn_relu';
  return ctx.fail(`activations [${acts}] have no bkt RNN mode (Tanh or Relu)`);
}

const stateInputs = (ctx: ImportContext): number[] => (ctx.opType === 'LSTM' ? [5, 6] : [5]);

function convert(ctx: ImportContext): void {
  const mode = modeOf(ctx);
  const direction = ctx.string('direction', 'forward');
  if (direction === 'reverse') ctx.fail("direction 'reverse' has no bkt form (forward and bidirectional do)");
  if (ctx.int('layout', 0) !== 0) ctx.fail('layout 1 (batch first) is not read');
  if (ctx.has('clip')) ctx.fail('cell clipping is not read');
  if (mode === 'lstm' && (ctx.int('input_forget', 0) !== 0 || ctx.hasInput(7)))
    ctx.fail('input_forget and peepholes are not read');
  if (mode === 'lstm' && ctx.has('activations')) ctx.fail('custom LSTM activations are not read');
  if (mode === 'gru' && ctx.int('linear_before_reset', 0) !== 1)
    ctx.fail("linear_before_reset=0: bkt's GRU applies the reset gate after the recurrent product (linear_before_reset=1)");
  if (ctx.hasInput(4)) ctx.fail('sequence_lens is not read');
  const W = ctx.requireConstant(1, 'W');
  const R = ctx.requireConstant(2, 'R');
  const B = ctx.constant(3);
  const H = ctx.int('hidden_size', 0);
  const dirs = direction === 'bidirectional' ? 2 : 1;
  const toMx = inverseOrder(ONNX_GATE_SOURCES[mode]);
  const G = toMx.length;
  const I = W.dims[2]!;
  if (
    W.dims.join() !== [dirs, G * H, I].join() ||
    R.dims.join() !== [dirs, G * H, H].join() ||
    (B && B.dims.join() !== [dirs, 2 * G * H].join())
  ) {
    ctx.fail(`W [${W.dims}], R [${R.dims}], B [${B?.dims ?? '-'}] do not fit hidden_size ${H} with ${dirs} direction(s)`);
  }
  const packed = new Float32Array(dirs * G * H * (I + H + 2));
  let at = 0;
  for (let d = 0; d < dirs; d++) {
    permuteGates(W.data, d * G * H * I, packed, at, toMx, H * I);
    at += G * H * I;
    permuteGates(R.data, d * G * H * H, packed, at, toMx, H * H);
    at += G * H * H;
  }
  for (let d = 0; d < dirs; d++) {
    if (B) {
      permuteGates(B.data, d * 2 * G * H, packed, at, toMx, H);
      permuteGates(B.data, d * 2 * G * H + G * H, packed, at + G * H, toMx, H);
    }
    at += 2 * G * H;
  }
  const parameters = ctx.param('parameters', { dims: [packed.length], data: packed });
  const stateOutputs = ctx.outputUsed(1) || ctx.outputUsed(2);
  const args: Record<string, unknown> = {
    data: ctx.input(0),
    parameters,
    stateSize: H,
    numLayers: 1,
    bidirectional: dirs === 2,
    mode,
    stateOutputs,
  };
  stateInputs(ctx).forEach((i, k) => {
    const key = k === 0 ? 'state' : 'state_cell';
    args[key] = ctx.isZeroOrAbsent(i) ? ctx.op('_zeros', { shape: [dirs, 0, H] }, `begin_${key}`) : ctx.input(i);
  });
  const rnn = ctx.op('RNN', args);
  const out = stateOutputs ? rnn.at(0) : rnn;
  const y: Symbol =
    dirs === 1
      ? ctx.op('expand_dims', { data: out, axis: 1 }, 'y')
      : ctx.op('transpose', { data: ctx.op('Reshape', { data: out, shape: [0, 0, 2, H] }, 'y_split'), axes: [0, 2, 1, 3] }, 'y');
  ctx.setOutput(0, y);
  if (stateOutputs) {
    ctx.setOutput(1, rnn.at(1));
    if (mode === 'lstm') ctx.setOutput(2, rnn.at(2));
  }
}

registerImporter(['LSTM', 'GRU', 'RNN'], {
  usedInputs: (ctx) => [0, ...stateInputs(ctx).filter((i) => !ctx.isZeroOrAbsent(i))],
  convert,
});
