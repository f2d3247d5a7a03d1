// Identity, Dropout (inference) and Cast pass their input through: bkt computes in float32 and
// feeds token ids as float32, so a cast between number types changes nothing it computes.

import { registerImporter } from '../registry.js';

registerImporter(['Identity', 'Dropout', 'Cast'], {
  usedInputs: () => [0],
  convert(ctx) {
    if (ctx.opType === 'Dropout' && ctx.outputUsed(1)) ctx.fail('the dropout mask output is not read');
    ctx.setOutput(0, ctx.input(0));
  },
});
