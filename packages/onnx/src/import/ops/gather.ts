// Gather of rows from a constant 2-D table (axis 0) → Embedding with that table as its weight.

import { registerImporter } from '../registry.js';

registerImporter('Gather', {
  usedInputs: () => [1],
  convert(ctx) {
    const table = ctx.constant(0);
    if (!table || table.dims.length !== 2) return ctx.fail('only Gather from a constant 2-D table (an embedding) is read');
    if (ctx.int('axis', 0) !== 0) ctx.fail('only axis 0 (rows of the table) is read');
    const [inputDim, outputDim] = table.dims as [number, number];
    const weight = ctx.param('weight', table);
    ctx.setOutput(0, ctx.op('Embedding', { data: ctx.input(1), weight, inputDim, outputDim }));
  },
});
