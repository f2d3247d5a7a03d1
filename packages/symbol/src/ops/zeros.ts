// _zeros (`mx.sym.zeros`): an array of zeros of a given shape and type, with no inputs. A 0 in
// `shape` is a dimension left to inference: RNN cells start from zeros of shape (0, num_hidden)
// whose batch size comes from the graph.

import { DTYPE_CODES, type DType } from '@bkt/ndarray/core';
import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp } from '../op-def.js';

const DTYPES = Object.keys(DTYPE_CODES) as DType[];

const spec = {
  shape: attr.shape({ default: [], describe: 'The shape; 0 marks a dimension to infer.' }),
  ctx: attr.string({ default: '', describe: 'Device (ignored: the executor places arrays).' }),
  dtype: attr.enumOf(DTYPES, { default: 'float32', describe: 'Element type.' }),
};
export type ZerosParams = ParamsOf<typeof spec>;

export const zeros = defineOp<ZerosParams>({
  name: '_zeros',
  describe: 'An array of zeros.',
  attrs: new AttrSchema(spec),
  inputNames: () => [],
  inferShape(ctx) {
    // MXNet's legacy shapes: an empty shape means "unknown", not a scalar.
    if (ctx.params.shape.length > 0) ctx.setOutput(0, ctx.params.shape);
  },
  inferType(ctx) {
    ctx.setOutput(0, ctx.params.dtype);
  },
  kernels: { forward: 'zeros' },
});
