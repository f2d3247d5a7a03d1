// Two-input element-wise and broadcast ops → the ONNX op of the same arithmetic (ONNX broadcasts
// numpy-style, which covers MXNet's same-rank broadcast); add_n → Sum.

import { registerExporter } from '../registry.js';

const ONNX_OP: Readonly<Record<string, string>> = {
  elemwise_add: 'Add',
  elemwise_sub: 'Sub',
  elemwise_mul: 'Mul',
  elemwise_div: 'Div',
  _maximum: 'Max',
  _minimum: 'Min',
  _power: 'Pow',
  broadcast_add: 'Add',
  broadcast_sub: 'Sub',
  broadcast_mul: 'Mul',
  broadcast_div: 'Div',
  broadcast_maximum: 'Max',
  broadcast_minimum: 'Min',
  broadcast_power: 'Pow',
};

for (const [op, onnxOp] of Object.entries(ONNX_OP)) {
  registerExporter(op, {
    convert(ctx) {
      ctx.add(onnxOp, [ctx.input(0), ctx.input(1)], [ctx.output()]);
    },
  });
}

registerExporter('add_n', {
  convert(ctx) {
    ctx.add(
      'Sum',
      Array.from({ length: ctx.numInputs }, (_, i) => ctx.input(i)),
      [ctx.output()],
    );
  },
});
