// transpose → Transpose (no axes: reversed, as in both).

import { registerExporter } from '../registry.js';

registerExporter('transpose', {
  convert(ctx) {
    const { axes } = ctx.params<{ axes: number[] }>();
    ctx.add('Transpose', [ctx.input(0)], [ctx.output()], axes.length > 0 ? { perm: axes } : {});
  },
});
