// Embedding: looks up rows of `weight` (input_dim, output_dim) by the integer values of `data`;
// the output has data's shape plus a trailing output_dim axis.

import type { DType } from '@bkt/ndarray/core';
import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp } from '../op-def.js';
import { defineBackward, DTYPES, unify, unknownShape } from './common.js';

const spec = {
  inputDim: attr.int({ required: true, min: 1, describe: 'Vocabulary size (rows of the weight).' }),
  outputDim: attr.int({ required: true, min: 1, describe: 'Embedding size (columns of the weight).' }),
  dtype: attr.enumOf(DTYPES, { default: 'float32', describe: 'Type of the weight and the output.' }),
  sparseGrad: attr.bool(false, { describe: 'Row-sparse weight gradient.' }),
};
export type EmbeddingParams = ParamsOf<typeof spec>;

export const embedding = defineOp<EmbeddingParams>({
  name: 'Embedding',
  describe: 'Maps integer indices to dense vectors.',
  attrs: new AttrSchema(spec),
  inputNames: () => ['data', 'weight'],
  inferShape(ctx) {
    const { inputDim, outputDim } = ctx.params;
    ctx.setInput(1, [inputDim, outputDim]);
    const d = ctx.inputs[0];
    if (d) ctx.setOutput(0, [...d, outputDim]);
    const o = ctx.outputs[0];
    if (o) {
      if (o.length === 0) ctx.fail('output must have at least one dimension');
      ctx.setOutput(0, [...unknownShape(o.length - 1), outputDim]);
      ctx.setInput(0, o.slice(0, -1));
    }
  },
  inferType(ctx) {
    // Weight and output share a type, the dtype parameter unless one of them is known; the
    // indices may be of any type (the caller must say which).
    if (ctx.inputs[1] === undefined && ctx.outputs[0] === undefined) ctx.setInput(1, ctx.params.dtype as DType);
    unify(ctx, [
      ['in', 1],
      ['out', 0],
    ]);
  },
  gradient(ctx) {
    const bwd = ctx.makeNode('_backward_Embedding', [ctx.ograd(0), ctx.input(0)]);
    return [ctx.entry(bwd, 0), ctx.entry(bwd, 1)];
  },
  kernels: { forward: 'embedding' },
});

export const embeddingBackward = defineBackward(embedding, {
  name: '_backward_Embedding',
  kernel: 'embedding_backward',
  inputs: () => [
    ['out_grad', ['fwdOut', 0]],
    ['data', ['fwdIn', 0]],
  ],
  numOutputs: () => 2,
});
