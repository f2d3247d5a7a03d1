// _zeros (a begin state outside the fused RNN) → a constant of its inferred shape; the shape is
// baked, so it must not follow a dynamic axis.

import { registerExporter } from '../registry.js';

registerExporter('_zeros', {
  convert(ctx) {
    ctx.requireStaticOutput(0, 'a _zeros constant');
    const shape = ctx.outputShape(0);
    ctx.add('ConstantOfShape', [ctx.int64(shape)], [ctx.output()]);
  },
});
