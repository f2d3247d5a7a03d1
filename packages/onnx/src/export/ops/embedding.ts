// Embedding → Gather on the weight rows. bkt (like MXNet) feeds indices as float32, so they are
// cast to int64 first.

import { DataType } from '../../proto.js';
import { registerExporter } from '../registry.js';

registerExporter('Embedding', {
  convert(ctx) {
    const indices = ctx.addTemp('Cast', [ctx.input(0)], { to: DataType.INT64 });
    ctx.add('Gather', [ctx.input(1), indices], [ctx.output()], { axis: 0 });
  },
});
