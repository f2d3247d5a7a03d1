// SliceChannel → Split into equal parts (opset 13 splits evenly when no sizes are given), each
// squeezed when squeeze_axis is set.

import { registerExporter } from '../registry.js';

interface Params {
  numOutputs: number;
  axis: number;
  squeezeAxis: boolean;
}

registerExporter('SliceChannel', {
  convert(ctx) {
    const { numOutputs, axis, squeezeAxis } = ctx.params<Params>();
    const outs = Array.from({ length: numOutputs }, (_, i) => (squeezeAxis ? ctx.temp(`part${i}`) : ctx.output(i)));
    ctx.add('Split', [ctx.input(0)], outs, { axis });
    if (!squeezeAxis) return;
    const axes = ctx.int64([axis]);
    outs.forEach((part, i) => ctx.add('Squeeze', [part, axes], [ctx.output(i)]));
  },
});
