// `_*_scalar` ops → the binary ONNX op with the scalar as a constant (on the left for _r* ops).

import { registerExporter } from '../registry.js';

const ONNX_OP: Readonly<Record<string, readonly [string, boolean]>> = {
  _plus_scalar: ['Add', false],
  _minus_scalar: ['Sub', false],
  _rminus_scalar: ['Sub', true],
  _mul_scalar: ['Mul', false],
  _div_scalar: ['Div', false],
  _rdiv_scalar: ['Div', true],
  _power_scalar: ['Pow', false],
  _rpower_scalar: ['Pow', true],
  _maximum_scalar: ['Max', false],
  _minimum_scalar: ['Min', false],
};

for (const [op, [onnxOp, scalarFirst]] of Object.entries(ONNX_OP)) {
  registerExporter(op, {
    convert(ctx) {
      const scalar = ctx.float([ctx.params<{ scalar: number }>().scalar]);
      const inputs = scalarFirst ? [scalar, ctx.input(0)] : [ctx.input(0), scalar];
      ctx.add(onnxOp, inputs, [ctx.output()]);
    },
  });
}
