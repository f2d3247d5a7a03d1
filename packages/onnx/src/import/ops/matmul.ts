// MatMul by a constant (in, out) matrix → FullyConnected without flatten or bias (the last axis
// is the one multiplied), its weight the matrix transposed.

import { registerImporter } from '../registry.js';
import { transpose2d } from './transpose-2d.js';

registerImporter('MatMul', {
  usedInputs: () => [0],
  convert(ctx) {
    const B = ctx.constant(1);
    if (!B || B.dims.length !== 2) return ctx.fail('only MatMul by a constant matrix is read');
    const weight = transpose2d(B);
    ctx.setOutput(
      0,
      ctx.op('FullyConnected', {
        data: ctx.input(0),
        weight: ctx.param('weight', weight),
        numHidden: weight.dims[0],
        noBias: true,
        flatten: false,
      }),
    );
  },
});
