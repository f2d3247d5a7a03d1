// Conv with constant weights → Convolution; MXNet pads symmetrically, so begin and end pads must match.

import { registerImporter } from '../registry.js';
import { symmetricPads } from './pads.js';

registerImporter('Conv', {
  usedInputs: () => [0],
  convert(ctx) {
    const W = ctx.requireConstant(1, 'W');
    const kernel = ctx.ints('kernel_shape', W.dims.slice(2));
    const n = kernel.length;
    const B = ctx.constant(2);
    if (ctx.hasInput(2) && !B) ctx.fail('the bias must be a constant');
    const args: Record<string, unknown> = {
      data: ctx.input(0),
      weight: ctx.param('weight', W),
      kernel,
      stride: ctx.ints('strides', new Array<number>(n).fill(1)),
      dilate: ctx.ints('dilations', new Array<number>(n).fill(1)),
      pad: symmetricPads(ctx, n),
      numFilter: W.dims[0],
      numGroup: ctx.int('group', 1),
      noBias: !B,
    };
    if (B) args.bias = ctx.param('bias', B);
    ctx.setOutput(0, ctx.op('Convolution', args));
  },
});
