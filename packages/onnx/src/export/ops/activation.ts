// Activation → the ONNX op of its act_type.

import { registerExporter } from '../registry.js';

const ONNX_OP = { relu: 'Relu', sigmoid: 'Sigmoid', tanh: 'Tanh', softrelu: 'Softplus', softsign: 'Softsign' } as const;

registerExporter('Activation', {
  convert(ctx) {
    const { actType } = ctx.params<{ actType: keyof typeof ONNX_OP }>();
    ctx.add(ONNX_OP[actType], [ctx.input(0)], [ctx.output()]);
  },
});
