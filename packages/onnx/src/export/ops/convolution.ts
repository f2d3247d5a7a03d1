// Convolution → Conv (channel-first, as bkt computes it); MXNet's symmetric pad becomes ONNX's
// begin and end pads.

import { registerExporter } from '../registry.js';

interface Params {
  kernel: number[];
  stride: number[];
  dilate: number[];
  pad: number[];
  numGroup: number;
  noBias: boolean;
}

const orOnes = (v: readonly number[], n: number, fill: number): number[] =>
  v.length > 0 ? [...v] : new Array<number>(n).fill(fill);

registerExporter('Convolution', {
  usedInputs: (node) => (node.params<Params>().noBias ? [0, 1] : [0, 1, 2]),
  convert(ctx) {
    const { kernel, stride, dilate, pad, numGroup, noBias } = ctx.params<Params>();
    const n = kernel.length;
    const pads = orOnes(pad, n, 0);
    ctx.add('Conv', noBias ? [ctx.input(0), ctx.input(1)] : [ctx.input(0), ctx.input(1), ctx.input(2)], [ctx.output()], {
      kernel_shape: kernel,
      strides: orOnes(stride, n, 1),
      dilations: orOnes(dilate, n, 1),
      pads: [...pads, ...pads],
      group: numGroup,
    });
  },
});
