// SoftmaxOutput (and its deprecated name Softmax) → Softmax: at inference the loss layer gives
// its probabilities and the label is not an input. MXNet normalizes over axis 1 with multi_output,
// over the last axis with preserve_shape, else over everything but the first axis.

import { registerExporter } from '../registry.js';

interface Params {
  multiOutput: boolean;
  preserveShape: boolean;
}

registerExporter(['SoftmaxOutput', 'Softmax'], {
  usedInputs: () => [0],
  convert(ctx) {
    const { multiOutput, preserveShape } = ctx.params<Params>();
    const rank = ctx.inputShape(0).length;
    if (multiOutput) {
      ctx.add('Softmax', [ctx.input(0)], [ctx.output()], { axis: 1 });
    } else if (preserveShape || rank <= 2) {
      ctx.add('Softmax', [ctx.input(0)], [ctx.output()], { axis: -1 });
    } else {
      const flat = ctx.addTemp('Flatten', [ctx.input(0)], { axis: 1 });
      const probs = ctx.addTemp('Softmax', [flat], { axis: -1 });
      // back to the input's shape: a constant (0 copies a dynamic first axis) unless a later axis is dynamic
      const dynamic = ctx.inputDynamic(0);
      const target = dynamic.slice(1).some((d) => d)
        ? ctx.addTemp('Shape', [ctx.input(0)])
        : ctx.int64(ctx.inputShape(0).map((d, k) => (dynamic[k] ? 0 : d)));
      ctx.add('Reshape', [probs, target], [ctx.output()]);
    }
  },
});
