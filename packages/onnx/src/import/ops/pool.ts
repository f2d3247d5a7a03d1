// MaxPool / AveragePool / GlobalMaxPool / GlobalAveragePool → Pooling (ceil_mode → the 'full' convention).

import { registerImporter } from '../registry.js';
import { symmetricPads } from './pads.js';

registerImporter(['GlobalMaxPool', 'GlobalAveragePool'], {
  convert(ctx) {
    const poolType = ctx.opType === 'GlobalMaxPool' ? 'max' : 'avg';
    ctx.setOutput(0, ctx.op('Pooling', { data: ctx.input(0), poolType, globalPool: true, kernel: [1, 1] }));
  },
});

registerImporter(['MaxPool', 'AveragePool'], {
  convert(ctx) {
    if (ctx.outputUsed(1)) ctx.fail('the Indices output is not read');
    const kernel = ctx.ints('kernel_shape', []);
    const n = kernel.length;
    if (ctx.has('dilations') && ctx.ints('dilations', []).some((d) => d !== 1)) ctx.fail('dilated pooling is not read');
    const args: Record<string, unknown> = {
      data: ctx.input(0),
      poolType: ctx.opType === 'MaxPool' ? 'max' : 'avg',
      kernel,
      stride: ctx.ints('strides', new Array<number>(n).fill(1)),
      pad: symmetricPads(ctx, n),
      poolingConvention: ctx.int('ceil_mode', 0) === 1 ? 'full' : 'valid',
    };
    if (ctx.opType === 'AveragePool') args.countIncludePad = ctx.int('count_include_pad', 0) === 1;
    ctx.setOutput(0, ctx.op('Pooling', args));
  },
});
