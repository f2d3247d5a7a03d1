// expand_dims → Unsqueeze (axes as an input since opset 13).

import { registerExporter } from '../registry.js';

registerExporter('expand_dims', {
  convert(ctx) {
    const { axis } = ctx.params<{ axis: number }>();
    ctx.add('Unsqueeze', [ctx.input(0), ctx.int64([axis])], [ctx.output()]);
  },
});
