// Reshape by a constant shape → Reshape (ONNX's 0 = copy and -1 = infer mean the same in MXNet);
// Flatten → Flatten at axis 1, else Reshape to (product before, product after) via codes.

import { registerImporter } from '../registry.js';

registerImporter('Reshape', {
  usedInputs: () => [0],
  convert(ctx) {
    if (ctx.int('allowzero', 0) !== 0) ctx.fail('allowzero=1 is not read');
    const shape = Array.from(ctx.requireConstant(1, 'the shape').data);
    ctx.setOutput(0, ctx.op('Reshape', { data: ctx.input(0), shape }));
  },
});

registerImporter('Flatten', {
  convert(ctx) {
    const axis = ctx.int('axis', 1);
    if (axis !== 1) ctx.fail(`axis ${axis}: only axis 1 is read`);
    ctx.setOutput(0, ctx.op('Flatten', { data: ctx.input(0) }));
  },
});
