// Reshape → ONNX Reshape with MXNet's special codes (0, -1, -2, -3, -4, reverse) already resolved by
// shape inference. A dimension that follows a dynamic input axis becomes 0 (copied from the same
// input axis) or the one -1; two that cannot be told apart make the export fail.

import { registerExporter } from '../registry.js';

registerExporter('Reshape', {
  convert(ctx) {
    const input = ctx.inputPair(0);
    const out = ctx.outputPair(0);
    let inferred = false;
    const target = out.base.map((d, k) => {
      if (d === out.alt[k]) return d;
      if (k < input.base.length && input.base[k] === d && input.alt[k] === out.alt[k]) return 0;
      if (inferred)
        ctx.fail(`output shape [${out.base}] has two dimensions that follow dynamic input axes; ONNX Reshape can infer only one`);
      inferred = true;
      return -1;
    });
    ctx.add('Reshape', [ctx.input(0), ctx.int64(target)], [ctx.output()]);
  },
});
