// BatchNorm → BatchNormalization in its inference form (the moving statistics). With fix_gamma
// MXNet uses a scale of 1 whatever gamma holds, so a ones initializer replaces gamma.

import { registerExporter } from '../registry.js';

interface Params {
  eps: number;
  fixGamma: boolean;
  outputMeanVar: boolean;
  axis: number;
}

registerExporter('BatchNorm', {
  usedInputs: (node) => (node.params<Params>().fixGamma ? [0, 2, 3, 4] : [0, 1, 2, 3, 4]),
  convert(ctx) {
    const { eps, fixGamma, outputMeanVar, axis } = ctx.params<Params>();
    if (outputMeanVar) ctx.fail('output_mean_var (batch statistics) has no inference form');
    if (axis !== 1 && axis !== 1 - ctx.inputShape(0).length)
      ctx.fail(`axis ${axis}: ONNX BatchNormalization normalizes axis 1 only`);
    const channels = ctx.inputShape(0)[1]!;
    const scale = fixGamma ? ctx.float(new Array<number>(channels).fill(1), [channels]) : ctx.input(1);
    ctx.add('BatchNormalization', [ctx.input(0), scale, ctx.input(2), ctx.input(3), ctx.input(4)], [ctx.output()], {
      epsilon: { float: eps },
    });
  },
});
