// Convolution: cross-correlation of channel-first data (N, C, spatial...) with num_filter kernels
// of shape (C/num_group, kernel...), grouped along the channels, with stride, dilation and
// zero padding per spatial axis; plus a bias per filter unless no_bias. Output (N, num_filter,
// spatial'...), spatial' = floor((x + 2·pad - dilate·(kernel - 1) - 1) / stride) + 1.
// A hidden `workspace` output holds one image's im2col matrix, so the native kernels (forward, and
// backward, which reads it as scratch) never allocate per run.

import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp } from '../op-def.js';
import { SPATIAL_LAYOUTS, checkChannelFirst, defineBackward, elementwise, perAxis, sizeOf, unknownShape } from './common.js';

const spec = {
  kernel: attr.shape({ required: true, describe: 'Kernel size: (w,), (h, w) or (d, h, w).' }),
  stride: attr.shape({ default: [], describe: 'Stride per spatial axis; 1 when empty.' }),
  dilate: attr.shape({ default: [], describe: 'Dilation per spatial axis; 1 when empty.' }),
  pad: attr.shape({ default: [], describe: 'Zero padding per spatial axis; 0 when empty.' }),
  numFilter: attr.int({ required: true, min: 1, max: 100000, describe: 'Number of output channels.' }),
  numGroup: attr.int({ default: 1, min: 1, describe: 'Number of channel groups.' }),
  workspace: attr.int({ default: 1024, min: 0, describe: 'Scratch space limit in MB (unused).' }),
  noBias: attr.bool(false, { describe: 'Leave out the bias.' }),
  cudnnTune: attr.optional(attr.enumOf(['fastest', 'limited_workspace', 'off']), { describe: 'Ignored (no cuDNN).' }),
  cudnnOff: attr.bool(false, { describe: 'Ignored (no cuDNN).' }),
  layout: attr.optional(attr.enumOf(SPATIAL_LAYOUTS), { describe: 'Data layout; channel-first only.' }),
};
export type ConvolutionParams = ParamsOf<typeof spec>;

export const convolution = defineOp<ConvolutionParams>({
  name: 'Convolution',
  describe: 'Grouped, strided, dilated, padded convolution over 1 to 3 spatial axes.',
  attrs: new AttrSchema(spec),
  inputNames: (p) => (p.noBias ? ['data', 'weight'] : ['data', 'weight', 'bias']),
  numOutputs: () => 2,
  numVisibleOutputs: () => 1,
  outputNames: () => ['output', 'workspace'],
  inferShape(ctx) {
    const { kernel, numFilter: f, numGroup: g, noBias } = ctx.params;
    const n = kernel.length;
    checkChannelFirst(ctx.params.layout, n, ctx.fail);
    const stride = perAxis(ctx.params.stride, n, 1, 'stride', ctx.fail);
    const dilate = perAxis(ctx.params.dilate, n, 1, 'dilate', ctx.fail);
    const pad = perAxis(ctx.params.pad, n, 0, 'pad', ctx.fail);
    if ([...kernel, ...stride, ...dilate].some((v) => v <= 0)) ctx.fail('kernel, stride and dilate must be positive');
    if (f % g !== 0) ctx.fail(`num_filter ${f} is not a multiple of num_group ${g}`);
    const extent = kernel.map((k, i) => dilate[i]! * (k - 1) + 1);

    if (!noBias) ctx.setInput(2, [f]);
    ctx.setInput(1, [f, 0, ...kernel]);
    const d0 = ctx.inputs[0];
    if (d0 && d0.length !== n + 2) ctx.fail(`data must have ${n + 2} dimensions for a ${n}-D kernel`);
    ctx.setInput(0, unknownShape(n + 2));
    ctx.setOutput(0, [0, f, ...unknownShape(n)]);

    // Channels: data's give the weight's, and the other way round.
    const c = ctx.inputs[0]![1]!;
    if (c !== 0) {
      if (c % g !== 0) ctx.fail(`${c} input channels are not a multiple of num_group ${g}`);
      ctx.setInput(1, [f, c / g, ...kernel]);
    }
    const cw = ctx.inputs[1]![1]!;
    if (cw !== 0) ctx.setInput(0, [0, cw * g, ...unknownShape(n)]);

    const d = ctx.inputs[0]!;
    ctx.setOutput(0, [
      d[0]!,
      f,
      ...d.slice(2).map((x, i) => {
        if (x === 0) return 0;
        const padded = x + 2 * pad[i]!;
        if (padded < extent[i]!)
          ctx.fail(`the kernel extent ${extent[i]} exceeds the padded input ${padded} on spatial axis ${i}`);
        return Math.floor((padded - extent[i]!) / stride[i]!) + 1;
      }),
    ]);
    // Backward: the output gives the batch, and the spatial sizes where the stride is 1.
    const o = ctx.outputs[0]!;
    ctx.setInput(0, [
      o[0]!,
      0,
      ...o.slice(2).map((y, i) => {
        if (y === 0 || stride[i] !== 1) return 0;
        const x = y + extent[i]! - 1 - 2 * pad[i]!;
        if (x <= 0) ctx.fail(`no input size gives ${y} on spatial axis ${i}`);
        return x;
      }),
    ]);
    const channels = ctx.inputs[0]![1]!;
    const spatial = ctx.outputs[0]!.slice(2);
    if (channels !== 0 && spatial.every((y) => y !== 0)) ctx.setOutput(1, [convolutionWorkspaceSize(channels, kernel, spatial)]);
  },
  inferType: elementwise,
  gradient(ctx) {
    const ins = ctx.node.inputs.map((_, i) => ctx.input(i));
    const bwd = ctx.makeNode('_backward_Convolution', [ctx.ograd(0), ...ins, ctx.output(1)]);
    return ins.map((_, i) => ctx.entry(bwd, i));
  },
  kernels: { forward: 'convolution' },
});

/**
 * Elements of the hidden workspace: one image's im2col matrix, (channels · prod(kernel)) rows by
 * prod(output spatial) columns. The native kernel checks it against the same formula.
 */
export function convolutionWorkspaceSize(channels: number, kernel: readonly number[], outSpatial: readonly number[]): number {
  return channels * sizeOf(kernel) * sizeOf(outSpatial);
}

/** Inputs: the output gradient, the forward inputs, then the workspace (scratch for the column matrix). */
export const convolutionBackward = defineBackward(convolution, {
  name: '_backward_Convolution',
  kernel: 'convolution_backward',
  inputs: (p) => [
    ['out_grad', ['fwdOut', 0]],
    ['data', ['fwdIn', 0]],
    ['weight', ['fwdIn', 1]],
    ...(p.noBias ? [] : ([['bias', ['fwdIn', 2]]] as const)),
    ['workspace', ['fwdOut', 1]],
  ],
  numOutputs: (p) => (p.noBias ? 2 : 3),
});
