// Gemm with a constant B (and C) → FullyConnected: y = A·Bᵀ + C with transB=1, B is the weight as
// is; with transB=0 it is transposed into one. alpha and beta must be 1, A not transposed.

import { registerImporter } from '../registry.js';
import { transpose2d } from './transpose-2d.js';

registerImporter('Gemm', {
  usedInputs: () => [0],
  convert(ctx) {
    if (ctx.int('transA', 0) !== 0 || ctx.float('alpha', 1) !== 1 || ctx.float('beta', 1) !== 1)
      ctx.fail('only transA=0, alpha=1, beta=1 are read');
    const B = ctx.requireConstant(1, 'B (the weight)');
    if (B.dims.length !== 2) ctx.fail(`B has dims [${B.dims}]; a matrix is needed`);
    const weight = ctx.int('transB', 0) === 1 ? B : transpose2d(B);
    const numHidden = weight.dims[0]!;
    const C = ctx.constant(2);
    if (ctx.hasInput(2) && (!C || C.data.length !== numHidden)) ctx.fail(`C must be a constant of ${numHidden} values`);
    const args: Record<string, unknown> = { data: ctx.input(0), weight: ctx.param('weight', weight), numHidden, noBias: !C };
    if (C) args.bias = ctx.param('bias', { dims: [numHidden], data: C.data });
    ctx.setOutput(0, ctx.op('FullyConnected', args));
  },
});
