// Pooling → MaxPool / AveragePool (ceil_mode for the 'full' convention) or the global forms.
// MXNet's 'same' convention, 'sum' and Lp pooling have no ONNX equivalent with the same sizes.

import { registerExporter } from '../registry.js';

interface Params {
  kernel: number[];
  poolType: 'avg' | 'lp' | 'max' | 'sum';
  globalPool: boolean;
  poolingConvention: 'full' | 'same' | 'valid';
  stride: number[];
  pad: number[];
  countIncludePad: boolean | null;
}

registerExporter('Pooling', {
  convert(ctx) {
    const p = ctx.params<Params>();
    if (p.poolType !== 'max' && p.poolType !== 'avg') ctx.fail(`pool_type '${p.poolType}' is not exported (max and avg are)`);
    if (p.globalPool) {
      ctx.add(p.poolType === 'max' ? 'GlobalMaxPool' : 'GlobalAveragePool', [ctx.input(0)], [ctx.output()]);
      return;
    }
    if (p.poolingConvention === 'same') ctx.fail("pooling_convention 'same' is not exported");
    const n = p.kernel.length;
    const pads = p.pad.length > 0 ? p.pad : new Array<number>(n).fill(0);
    const attrs: Record<string, number | number[]> = {
      kernel_shape: p.kernel,
      strides: p.stride.length > 0 ? p.stride : new Array<number>(n).fill(1),
      pads: [...pads, ...pads],
      ceil_mode: p.poolingConvention === 'full' ? 1 : 0,
    };
    if (p.poolType === 'avg') attrs.count_include_pad = p.countIncludePad === false ? 0 : 1;
    ctx.add(p.poolType === 'max' ? 'MaxPool' : 'AveragePool', [ctx.input(0)], [ctx.output()], attrs);
  },
});
