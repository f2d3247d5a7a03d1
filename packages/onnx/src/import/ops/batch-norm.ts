// BatchNormalization (inference) → BatchNorm on axis 1 using its moving statistics, which become
// the auxiliary states; gamma is learned (fix_gamma off).

import { registerImporter } from '../registry.js';

registerImporter('BatchNormalization', {
  usedInputs: () => [0],
  convert(ctx) {
    if (ctx.outputUsed(1) || ctx.outputUsed(2)) ctx.fail('the training outputs (running mean and variance) are not read');
    const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) =>
      ctx.requireConstant(i, ['scale', 'B', 'input_mean', 'input_var'][i - 1]!),
    );
    ctx.setOutput(
      0,
      ctx.op('BatchNorm', {
        data: ctx.input(0),
        gamma: ctx.param('gamma', gamma!),
        beta: ctx.param('beta', beta!),
        moving_mean: ctx.param('moving_mean', mean!, true),
        moving_var: ctx.param('moving_var', variance!, true),
        eps: ctx.float('epsilon', 1e-5),
        momentum: ctx.float('momentum', 0.9),
        fixGamma: false,
        useGlobalStats: true,
      }),
    );
  },
});
