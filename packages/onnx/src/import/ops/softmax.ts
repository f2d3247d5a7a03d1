// Softmax / LogSoftmax (opset 13: one axis) → softmax / log_softmax on that axis.

import { registerImporter } from '../registry.js';

registerImporter(['Softmax', 'LogSoftmax'], {
  convert(ctx) {
    ctx.setOutput(
      0,
      ctx.op(ctx.opType === 'Softmax' ? 'softmax' : 'log_softmax', { data: ctx.input(0), axis: ctx.int('axis', -1) }),
    );
  },
});
