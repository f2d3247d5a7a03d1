// Concat → Concat; Split into equal parts → SliceChannel; Transpose → transpose.

import { registerImporter } from '../registry.js';

registerImporter('Concat', {
  usedInputs: (ctx) => ctx.node.input.map((_, i) => i).filter((i) => !ctx.constant(i)),
  convert(ctx) {
    const data = ctx.node.input.map((_, i) => ctx.inputOrParam(i));
    ctx.setOutput(0, ctx.op('Concat', { data, dim: ctx.int('axis', 0) }));
  },
});

registerImporter('Split', {
  usedInputs: () => [0],
  convert(ctx) {
    const parts = ctx.node.output.length;
    const sizes = ctx.hasInput(1) ? Array.from(ctx.requireConstant(1, 'split').data) : [];
    if (sizes.some((s) => s !== sizes[0])) ctx.fail(`unequal parts [${sizes}] are not read (SliceChannel splits evenly)`);
    const split = ctx.op('SliceChannel', { data: ctx.input(0), numOutputs: parts, axis: ctx.int('axis', 0) });
    for (let i = 0; i < parts; i++) ctx.setOutput(i, split.at(i));
  },
});

registerImporter('Transpose', {
  convert(ctx) {
    const perm = ctx.ints('perm', []);
    ctx.setOutput(0, ctx.op('transpose', perm.length > 0 ? { data: ctx.input(0), axes: perm } : { data: ctx.input(0) }));
  },
});
