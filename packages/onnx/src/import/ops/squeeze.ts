// Squeeze → squeeze on the constant axes (all length-1 axes when none); Unsqueeze → expand_dims,
// one per axis in increasing order (ONNX's axes index the output).

import type { Symbol } from '@bkt/symbol';
import { registerImporter } from '../registry.js';

registerImporter('Squeeze', {
  usedInputs: () => [0],
  convert(ctx) {
    const axes = ctx.hasInput(1) ? Array.from(ctx.requireConstant(1, 'axes').data) : undefined;
    ctx.setOutput(0, ctx.op('squeeze', axes ? { data: ctx.input(0), axis: axes } : { data: ctx.input(0) }));
  },
});

registerImporter('Unsqueeze', {
  usedInputs: () => [0],
  convert(ctx) {
    const axes = Array.from(ctx.requireConstant(1, 'axes').data);
    if (axes.some((a) => a < 0)) ctx.fail(`negative axes [${axes}] are not read`);
    let x: Symbol = ctx.input(0);
    [...axes]
      .sort((a, b) => a - b)
      .forEach((axis, k) => (x = ctx.op('expand_dims', { data: x, axis }, k === axes.length - 1 ? undefined : `axis${axis}`)));
    ctx.setOutput(0, x);
  },
});
