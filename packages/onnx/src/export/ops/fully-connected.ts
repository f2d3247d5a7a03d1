// FullyConnected → Gemm (y = x·Wᵀ + b) on the input flattened to 2-D (flatten=true), or
// MatMul with Wᵀ then Add over the last axis (flatten=false).

import { registerExporter } from '../registry.js';

interface Params {
  noBias: boolean;
  flatten: boolean;
}

registerExporter('FullyConnected', {
  usedInputs: (node) => (node.params<Params>().noBias ? [0, 1] : [0, 1, 2]),
  convert(ctx) {
    const { noBias, flatten } = ctx.params<Params>();
    const rank = ctx.inputShape(0).length;
    const weight = ctx.input(1);
    if (flatten || rank <= 2) {
      const x = rank === 2 ? ctx.input(0) : ctx.addTemp('Flatten', [ctx.input(0)], { axis: 1 });
      ctx.add('Gemm', noBias ? [x, weight] : [x, weight, ctx.input(2)], [ctx.output()], { transB: 1 });
      return;
    }
    const wT = ctx.addTemp('Transpose', [weight], { perm: [1, 0] });
    if (noBias) {
      ctx.add('MatMul', [ctx.input(0), wT], [ctx.output()]);
      return;
    }
    const product = ctx.addTemp('MatMul', [ctx.input(0), wT]);
    ctx.add('Add', [product, ctx.input(2)], [ctx.output()]);
  },
});
