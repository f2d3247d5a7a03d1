// The fused RNN op → one ONNX LSTM / GRU / RNN node per layer. The packed `parameters` vector is
// cut into each layer's W, R and B: MXNet stacks LSTM gates i,f,c,o and GRU gates r,z,n, ONNX
// i,o,f,c and z,r,h; ONNX keeps the input and recurrent biases side by side in B. MXNet's GRU
// applies the reset gate after the recurrent product, ONNX's linear_before_reset=1. Begin states
// made by `_zeros` are left out (ONNX starts from zeros), so batch and time stay free.

import type { Node } from '@bkt/symbol';
import type { ExportContext } from '../context.js';
import { ONNX_GATE_SOURCES, permuteGates } from '../../rnn-gates.js';
import { registerExporter } from '../registry.js';

interface Params {
  stateSize: number;
  numLayers: number;
  bidirectional: boolean;
  mode: 'lstm' | 'gru' | 'rnn_relu' | 'rnn_tanh';
  stateOutputs: boolean;
  projectionSize: number | null;
  lstmStateClipMin: number | null;
  lstmStateClipMax: number | null;
  useSequenceLength: boolean;
}

const ONNX_OP = { lstm: 'LSTM', gru: 'GRU', rnn_relu: 'RNN', rnn_tanh: 'RNN' } as const;

const isZeros = (node: Node, i: number): boolean => node.inputs[i]?.node.op?.name === '_zeros';

function stateInputs(p: Params): number[] {
  return p.mode === 'lstm' ? [2, 3] : [2];
}

function convert(ctx: ExportContext): void {
  const p = ctx.params<Params>();
  if (p.projectionSize) ctx.fail('LSTM projection (projection_size) has no ONNX LSTM form');
  if (p.lstmStateClipMin != null || p.lstmStateClipMax != null)
    ctx.fail('lstm_state_clip_min/max have no ONNX form (ONNX clips symmetrically)');
  if (p.useSequenceLength) ctx.fail('use_sequence_length is not exported');
  const params = ctx.param(1);
  if (!params) ctx.fail('its parameters must be a parameter (given in argParams), not a computed value');
  const H = p.stateSize;
  const dirs = p.bidirectional ? 2 : 1;
  const order = ONNX_GATE_SOURCES[p.mode];
  const G = order.length;
  const inputSize = ctx.inputShape(0)[2]!;
  const layerInput = (l: number): number => (l === 0 ? inputSize : dirs * H);
  let expected = 0;
  for (let l = 0; l < p.numLayers; l++) expected += dirs * G * H * (layerInput(l) + H + 2);
  if (params.data.length !== expected)
    ctx.fail(
      `parameters has ${params.data.length} values; mode ${p.mode} with ${p.numLayers} layers of ${H} over input size ${inputSize} needs ${expected}`,
    );

  let wOffset = 0;
  let bOffset = params.data.length - p.numLayers * dirs * 2 * G * H;
  let x = ctx.input(0);
  const finals: string[][] = [[], []];
  const states = stateInputs(p);
  for (let l = 0; l < p.numLayers; l++) {
    const I = layerInput(l);
    const W = new Float32Array(dirs * G * H * I);
    const R = new Float32Array(dirs * G * H * H);
    const B = new Float32Array(dirs * 2 * G * H);
    for (let d = 0; d < dirs; d++) {
      permuteGates(params.data, wOffset, W, d * G * H * I, order, H * I);
      wOffset += G * H * I;
      permuteGates(params.data, wOffset, R, d * G * H * H, order, H * H);
      wOffset += G * H * H;
      permuteGates(params.data, bOffset, B, d * 2 * G * H, order, H);
      bOffset += G * H;
      permuteGates(params.data, bOffset, B, d * 2 * G * H + G * H, order, H);
      bOffset += G * H;
    }
    const prefix = `${ctx.node.name}_l${l}`;
    const inputs = [
      x,
      ctx.graph.floatInitializer(`${prefix}_W`, [dirs, G * H, I], W),
      ctx.graph.floatInitializer(`${prefix}_R`, [dirs, G * H, H], R),
      ctx.graph.floatInitializer(`${prefix}_B`, [dirs, 2 * G * H], B),
      '',
    ];
    for (const s of states) {
      inputs.push(
        isZeros(ctx.node, s)
          ? ''
          : ctx.addTemp('Slice', [ctx.input(s), ctx.int64([l * dirs]), ctx.int64([(l + 1) * dirs]), ctx.int64([0])]),
      );
    }
    while (inputs[inputs.length - 1] === '') inputs.pop();
    const outs = [ctx.temp(`l${l}_y`), ctx.temp(`l${l}_h`)];
    if (p.mode === 'lstm') outs.push(ctx.temp(`l${l}_c`));
    const attrs: Record<string, number | string | readonly string[]> = {
      hidden_size: H,
      direction: p.bidirectional ? 'bidirectional' : 'forward',
    };
    if (p.mode === 'gru') attrs.linear_before_reset = 1;
    if (p.mode === 'rnn_relu') attrs.activations = p.bidirectional ? ['Relu', 'Relu'] : ['Relu'];
    ctx.add(ONNX_OP[p.mode], inputs, outs, attrs);
    finals[0]!.push(outs[1]!);
    if (outs[2]) finals[1]!.push(outs[2]);
    // Y is (T, directions, N, H); the next layer and the op's output want (T, N, directions·H).
    const last = l === p.numLayers - 1;
    const target = last ? ctx.output(0) : ctx.temp(`l${l}_out`);
    if (dirs === 1) ctx.add('Squeeze', [outs[0]!, ctx.int64([1])], [target]);
    else ctx.add('Reshape', [ctx.addTemp('Transpose', [outs[0]!], { perm: [0, 2, 1, 3] }), ctx.int64([0, 0, -1])], [target]);
    x = target;
  }
  if (p.stateOutputs) {
    finals.forEach((list, k) => {
      if (list.length === 0) return;
      if (list.length === 1) ctx.add('Identity', list, [ctx.output(k + 1)]);
      else ctx.add('Concat', list, [ctx.output(k + 1)], { axis: 0 });
    });
  }
}

registerExporter('RNN', {
  usedInputs: (node) => [0, 1, ...stateInputs(node.params<Params>()).filter((i) => !isZeros(node, i))],
  convert,
});
