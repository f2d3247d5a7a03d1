// softmax / log_softmax → Softmax / LogSoftmax along the op's axis, dividing by the temperature first.

import type { ExportContext } from '../context.js';
import { registerExporter } from '../registry.js';

interface Params {
  axis: number;
  temperature: number | null;
  useLength: boolean | null;
}

function exporter(onnxOp: string) {
  return {
    convert(ctx: ExportContext) {
      const { axis, temperature, useLength } = ctx.params<Params>();
      if (useLength) ctx.fail('use_length is not exported');
      const x =
        temperature == null || temperature === 1 ? ctx.input(0) : ctx.addTemp('Div', [ctx.input(0), ctx.float([temperature])]);
      ctx.add(onnxOp, [x], [ctx.output()], { axis });
    },
  };
}

registerExporter('softmax', exporter('Softmax'));
registerExporter('log_softmax', exporter('LogSoftmax'));
