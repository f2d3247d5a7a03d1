// Pooling: max, average, sum or Lp pooling of channel-first data (N, C, spatial...) over windows
// `kernel` moved by `stride` over the zero-padded input, or over the whole spatial extent with
// global_pool. The output size per spatial axis follows pooling_convention: valid
// floor((x + 2·pad - kernel) / stride) + 1, full ceil(...) + 1, same ceil(x / stride) (1-D only).

import { POOLING_CONVENTIONS, POOL_TYPES } from '@bkt/ndarray/core';
import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp, type OpDef } from '../op-def.js';
import { SPATIAL_LAYOUTS, checkChannelFirst, defineBackward, elementwise, perAxis, unknownShape } from './common.js';

const spec = {
  kernel: attr.shape({ default: [], describe: 'Window size: (w,), (h, w) or (d, h, w); ignored with global_pool.' }),
  poolType: attr.enumOf(POOL_TYPES, { default: 'max', describe: 'Pooling function.' }),
  globalPool: attr.bool(false, { describe: 'Pool over the whole spatial extent.' }),
  cudnnOff: attr.bool(false, { describe: 'Ignored (no cuDNN).' }),
  poolingConvention: attr.enumOf(POOLING_CONVENTIONS, { default: 'valid', describe: 'Output size rule.' }),
  stride: attr.shape({ default: [], describe: 'Stride per spatial axis; 1 when empty.' }),
  pad: attr.shape({ default: [], describe: 'Zero padding per spatial axis; 0 when empty.' }),
  pValue: attr.optional(attr.int(), { describe: 'p of Lp pooling (1 or 2).' }),
  countIncludePad: attr.optional(attr.bool(true), { describe: 'avg: count padding in the divisor (default true).' }),
  layout: attr.optional(attr.enumOf(SPATIAL_LAYOUTS), { describe: 'Data layout; channel-first only.' }),
};
export type PoolingParams = ParamsOf<typeof spec>;

function outputSize(p: PoolingParams, x: number, k: number, s: number, pad: number, fail: (m: string) => never): number {
  const padded = x + 2 * pad;
  if (p.poolingConvention === 'same') return Math.ceil(padded / s);
  if (k > padded) fail(`the kernel (${k}) exceeds the padded input (${padded})`);
  const steps = (padded - k) / s;
  return 1 + (p.poolingConvention === 'full' ? Math.ceil(steps) : Math.floor(steps));
}

export const pooling = defineOp<PoolingParams>({
  name: 'Pooling',
  describe: 'Max, average, sum or Lp pooling over 1 to 3 spatial axes.',
  attrs: new AttrSchema(spec),
  inputNames: () => ['data'],
  inferShape(ctx) {
    const p = ctx.params;
    const known = ctx.inputs[0] ?? ctx.outputs[0];
    if (!known) return;
    if (known.length < 3 || known.length > 5) ctx.fail('data must have 3 to 5 dimensions: (N, C, spatial...)');
    const n = known.length - 2;
    checkChannelFirst(p.layout, n, ctx.fail);
    if (p.poolType === 'lp' && p.pValue === null) ctx.fail('lp pooling needs p_value');
    // Batch and channels pass through, in both directions.
    const o = ctx.outputs[0];
    if (o) ctx.setInput(0, [o[0]!, o[1]!, ...unknownShape(n)]);
    const d = ctx.inputs[0]!;
    if (p.globalPool) {
      ctx.setOutput(0, [d[0]!, d[1]!, ...new Array<number>(n).fill(1)]);
      return;
    }
    if (p.kernel.length !== n) ctx.fail(`kernel (${p.kernel.join(', ')}) does not fit ${n}-D pooling`);
    const stride = perAxis(p.stride, n, 1, 'stride', ctx.fail);
    const pad = perAxis(p.pad, n, 0, 'pad', ctx.fail);
    if ([...p.kernel, ...stride].some((v) => v <= 0)) ctx.fail('kernel and stride must be positive');
    if (p.poolingConvention === 'same' && (n !== 1 || pad.some((v) => v !== 0))) {
      ctx.fail("pooling_convention 'same' supports 1-D pooling without padding only");
    }
    ctx.setOutput(0, [
      d[0]!,
      d[1]!,
      ...d.slice(2).map((x, i) => (x === 0 ? 0 : outputSize(p, x, p.kernel[i]!, stride[i]!, pad[i]!, ctx.fail))),
    ]);
  },
  inferType: elementwise,
  gradient(ctx) {
    return [ctx.entry(ctx.makeNode('_backward_Pooling', [ctx.ograd(0), ctx.input(0), ctx.output(0)]), 0)];
  },
  kernels: { forward: 'pooling' },
});

export const poolingBackward: OpDef<PoolingParams> = {
  ...defineBackward(pooling, {
    name: '_backward_Pooling',
    kernel: 'pooling_backward',
    inputs: () => [
      ['out_grad', ['fwdOut', 0]],
      ['data', ['fwdIn', 0]],
      ['out_data', ['fwdOut', 0]],
    ],
    numOutputs: () => 1,
  }),
  // MXNet lets the input gradient take the data's memory, but bkt's max-pool backward reads the data
  // while it writes that gradient, so the two never share a buffer here.
};
