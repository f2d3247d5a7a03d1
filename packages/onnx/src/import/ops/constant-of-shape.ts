// ConstantOfShape of a constant shape filled with zeros → `_zeros` (other fill values are not read).

import { registerImporter } from '../registry.js';

registerImporter('ConstantOfShape', {
  usedInputs: () => [],
  convert(ctx) {
    const shape = Array.from(ctx.requireConstant(0, 'the shape').data);
    if (!ctx.isZeroOutput(0)) ctx.fail('only a fill value of 0 is read');
    ctx.setOutput(0, ctx.op('_zeros', { shape }));
  },
});
