// Concat → Concat along the same axis.

import { registerExporter } from '../registry.js';

registerExporter('Concat', {
  convert(ctx) {
    const { dim } = ctx.params<{ dim: number }>();
    const inputs = Array.from({ length: ctx.numInputs }, (_, i) => ctx.input(i));
    ctx.add('Concat', inputs, [ctx.output()], { axis: dim });
  },
});
