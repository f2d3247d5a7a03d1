// Reshape: same elements, new shape. `shape` uses MXNet's special values (0 copy, -1 infer,
// -2 copy the rest, -3 merge two, -4 split one), matched from the right with `reverse`. The
// deprecated `target_shape` (0 = infer, `keep_highest` keeps the first axis) is still read.

import { resolveReshape } from '@bkt/ndarray/core';
import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { isCompleteShape } from '../infer.js';
import { defineOp, type Shape } from '../op-def.js';
import { ANY_PARAMS, defineBackward, elementwise, sizeOf } from './common.js';

const spec = {
  shape: attr.shape({ default: [], describe: 'Target shape, with special values 0, -1, -2, -3, -4.' }),
  reverse: attr.bool(false, { describe: 'Match special values from the right.' }),
  targetShape: attr.shape({ default: [], describe: 'Deprecated: target shape, 0 = infer.' }),
  keepHighest: attr.bool(false, { describe: 'Deprecated: with target_shape, keep the first axis.' }),
};
export type ReshapeParams = ParamsOf<typeof spec>;

function targetShapeRule(d: Shape, p: ReshapeParams, fail: (m: string) => never): Shape {
  const out = [...p.targetShape];
  const start = p.keepHighest ? 1 : 0;
  if (p.keepHighest) out[0] = d[0]!;
  const unknown = out.map((v, i) => (i >= start && v === 0 ? i : -1)).filter((i) => i >= 0);
  if (unknown.length > 1) fail(`target_shape ${JSON.stringify(p.targetShape)} has more than one 0`);
  if (unknown.length === 1) {
    out[unknown[0]!] = 1;
    out[unknown[0]!] = sizeOf(d) / sizeOf(out);
  }
  if (!Number.isInteger(out[unknown[0] ?? 0]) || sizeOf(out) !== sizeOf(d)) {
    fail(`cannot reshape (${d.join(', ')}) to target_shape (${p.targetShape.join(', ')})`);
  }
  return out;
}

export const reshape = defineOp<ReshapeParams>({
  name: 'Reshape',
  aliases: ['reshape'],
  describe: 'Gives the data a new shape without changing its elements.',
  attrs: new AttrSchema(spec),
  inputNames: () => ['data'],
  inferShape(ctx) {
    const p = ctx.params;
    if (p.shape.length === 0 && p.targetShape.length === 0) ctx.fail('the target shape must be set (shape=...)');
    const d = ctx.inputs[0];
    const o = ctx.outputs[0];
    if (d && isCompleteShape(d)) {
      ctx.setOutput(0, p.shape.length > 0 ? resolveReshape(d, p.shape, p.reverse) : targetShapeRule(d, p, ctx.fail));
    } else if (d && o && isCompleteShape(o)) {
      // Backward: one unknown input dimension follows from the element count.
      const missing = d.filter((x) => x === 0).length;
      const known = d.reduce((acc, x) => (x === 0 ? acc : acc * x), 1);
      const total = sizeOf(o);
      if (missing === 1 && total % known === 0)
        ctx.setInput(
          0,
          d.map((x) => (x === 0 ? total / known : x)),
        );
    }
  },
  inferType: elementwise,
  gradient(ctx) {
    return [ctx.entry(ctx.makeNode('_backward_copy', [ctx.ograd(0)]), 0)];
  },
  kernels: { forward: 'copy' },
  inplace: () => [[0, 0]],
});

/** `_backward_copy`: the gradient of a pure reshaping op, its input's shape taken from the forward node. */
export const backwardCopy = defineBackward(reshape, {
  name: '_backward_copy',
  kernel: 'copy',
  attrs: ANY_PARAMS as unknown as AttrSchema<ReshapeParams>,
  inputs: () => [['out_grad', ['fwdOut', 0]]],
  numOutputs: () => 1,
  inplace: () => [[0, 0]],
});
