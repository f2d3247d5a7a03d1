// One-input element-wise ONNX ops → Activation or bkt's unary op of the same function.

import { registerImporter } from '../registry.js';

const ACTIVATION: Readonly<Record<string, string>> = {
  Relu: 'relu',
  Sigmoid: 'sigmoid',
  Tanh: 'tanh',
  Softplus: 'softrelu',
  Softsign: 'softsign',
};
const UNARY: Readonly<Record<string, string>> = {
  Exp: 'exp',
  Log: 'log',
  Sqrt: 'sqrt',
  Neg: 'negative',
  Abs: 'abs',
  Sign: 'sign',
  Reciprocal: 'reciprocal',
};

registerImporter(Object.keys(ACTIVATION), {
  convert(ctx) {
    ctx.setOutput(0, ctx.op('Activation', { data: ctx.input(0), actType: ACTIVATION[ctx.opType] }));
  },
});

registerImporter(Object.keys(UNARY), {
  convert(ctx) {
    ctx.setOutput(0, ctx.op(UNARY[ctx.opType]!, { data: ctx.input(0) }));
  },
});
