// Single-input element-wise ops that are one ONNX op each; identities at inference (_copy,
// BlockGrad, Dropout) become Identity.

import { registerExporter } from '../registry.js';

const ONNX_OP: Readonly<Record<string, string>> = {
  negative: 'Neg',
  exp: 'Exp',
  log: 'Log',
  sqrt: 'Sqrt',
  abs: 'Abs',
  sign: 'Sign',
  reciprocal: 'Reciprocal',
  relu: 'Relu',
  sigmoid: 'Sigmoid',
  tanh: 'Tanh',
  softsign: 'Softsign',
  _copy: 'Identity',
  BlockGrad: 'Identity',
  Dropout: 'Identity',
};

for (const [op, onnxOp] of Object.entries(ONNX_OP)) {
  registerExporter(op, {
    convert(ctx) {
      ctx.add(onnxOp, [ctx.input(0)], [ctx.output()]);
    },
  });
}

registerExporter('square', {
  convert(ctx) {
    ctx.add('Mul', [ctx.input(0), ctx.input(0)], [ctx.output()]);
  },
});
