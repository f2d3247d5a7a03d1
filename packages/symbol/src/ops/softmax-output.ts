// SoftmaxOutput: softmax in the forward pass; in the backward pass the gradient of cross-entropy
// against `label` (out - onehot(label)), scaled and normalized. A loss layer: it needs no output
// gradient (unless out_grad) and seeds backpropagation itself.

import { NORMALIZATIONS } from '@bkt/ndarray/core';
import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { mergeShape } from '../infer.js';
import { defineOp, type OpDef, type Shape } from '../op-def.js';
import { defineBackward, sizeOf, unify } from './common.js';

const spec = {
  gradScale: attr.float({ default: 1, describe: 'Scales the gradient.' }),
  ignoreLabel: attr.float({ default: -1, describe: 'Label value ignored when use_ignore is set.' }),
  multiOutput: attr.bool(false, { describe: 'Softmax along axis 1, one label per remaining position.' }),
  useIgnore: attr.bool(false, { describe: 'Ignore instances labelled ignore_label in the backward pass.' }),
  preserveShape: attr.bool(false, { describe: 'Softmax along the last axis.' }),
  normalization: attr.enumOf(NORMALIZATIONS, { default: 'null', describe: 'Gradient normalization.' }),
  outGrad: attr.bool(false, { describe: 'Multiply the gradient by the output gradient.' }),
  smoothAlpha: attr.float({ default: 0, min: 0, max: 1, describe: 'Label smoothing.' }),
};
export type SoftmaxOutputParams = ParamsOf<typeof spec>;

const fmt = (s: readonly number[]): string => (s.length === 1 ? `(${s[0]},)` : `(${s.join(', ')})`);

export const softmaxOutput = defineOp<SoftmaxOutputParams>({
  name: 'SoftmaxOutput',
  describe: 'Softmax with cross-entropy gradient against a label.',
  attrs: new AttrSchema(spec),
  inputNames: () => ['data', 'label'],
  inferShape(ctx) {
    unify(ctx, [
      ['in', 0],
      ['out', 0],
    ]);
    const d = ctx.inputs[0];
    if (!d) return;
    if (d.length === 0) ctx.fail('data must have at least one dimension');
    const label = ctx.inputs[1];
    // A label shaped like data holds probabilities.
    if (label && label.length === d.length && mergeShape(label, d) !== null) {
      ctx.setInput(1, d);
      return;
    }
    if (ctx.params.multiOutput) {
      if (d.length < 2) ctx.fail('multi_output needs data with at least two dimensions');
      const rest = sizeOf(d.slice(2));
      const l1: Shape = [d[0]!, rest]; // (N, prod(d2...)) — the default
      const l2: Shape = [d[0]!, ...d.slice(2)]; // (N, d2, d3, ...)
      const l3: Shape = [d[0]!, 1, ...d.slice(2)]; // (N, 1, d2, ...)
      if (!label) {
        ctx.setInput(1, l1);
        return;
      }
      for (const cand of [l1, l2, l3]) {
        if (mergeShape(label, cand) !== null) {
          ctx.setInput(1, cand);
          return;
        }
      }
      ctx.fail(`label shape ${fmt(label)} fits none of ${fmt(l1)}, ${fmt(l2)}, ${fmt(l3)}`);
    }
    // (N,) for (N, C) data; (N, T) for (N, T, C): every axis but the last.
    if (d.length >= 2) ctx.setInput(1, d.slice(0, -1));
  },
  inferType(ctx) {
    unify(ctx, [
      ['in', 0],
      ['in', 1],
      ['out', 0],
    ]);
  },
  selfSeeding: (p) => !p.outGrad,
  gradient(ctx) {
    const ins = [ctx.output(0), ctx.input(1)];
    if (ctx.params.outGrad) ins.push(ctx.ograd(0));
    const bwd = ctx.makeNode('_backward_SoftmaxOutput', ins);
    return [ctx.entry(bwd, 0), ctx.entry(bwd, 1)];
  },
  kernels: { forward: 'softmax_output' },
});

/** `Softmax`: the deprecated name of SoftmaxOutput, still found in old checkpoints. */
export const softmaxDeprecated: OpDef<SoftmaxOutputParams> = {
  ...softmaxOutput,
  name: 'Softmax',
  describe: 'Deprecated: SoftmaxOutput.',
};

export const softmaxOutputBackward = defineBackward(softmaxOutput, {
  name: '_backward_SoftmaxOutput',
  kernel: 'softmax_output_backward',
  inputs: (p) => [
    ['out_data', ['fwdOut', 0]],
    ['label', ['fwdIn', 1]],
    ...(p.outGrad ? ([['out_grad', ['fwdOut', 0]]] as const) : []),
  ],
  numOutputs: () => 2,
});
