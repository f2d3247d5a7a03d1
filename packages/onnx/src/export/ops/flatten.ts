// Flatten → Flatten(axis 1): MXNet keeps the first axis and collapses the rest, as ONNX does.

import { registerExporter } from '../registry.js';

registerExporter('Flatten', {
  convert(ctx) {
    ctx.add('Flatten', [ctx.input(0)], [ctx.output()], { axis: 1 });
  },
});
