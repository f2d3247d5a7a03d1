// transpose: permutes the axes (reverses them when `axes` is empty). Its gradient is a transpose
// of the output gradient by the inverse permutation, with only that `axes` attribute (none when
// the forward one reversed), as MXNet builds it.

import { ValueError } from '@bkt/ndarray/core';
import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp } from '../op-def.js';
import { elementwise, normalizeAxis, permuteRule } from './common.js';

const spec = {
  axes: attr.shape({ default: [], describe: 'The new order of the axes; empty reverses them.' }),
};
export type TransposeParams = ParamsOf<typeof spec>;

function permutation(axes: readonly number[], ndim: number, fail: (m: string) => never): number[] {
  if (axes.length === 0) return Array.from({ length: ndim }, (_, i) => ndim - 1 - i);
  if (axes.length !== ndim) fail(`axes (${axes.join(', ')}) do not match the ${ndim} dimensions`);
  const perm = axes.map((a) => normalizeAxis(a, ndim, fail));
  if (new Set(perm).size !== ndim) fail(`axes (${axes.join(', ')}) repeat an axis`);
  return perm;
}

export const transpose = defineOp<TransposeParams>({
  name: 'transpose',
  describe: 'Permutes the axes of an array.',
  attrs: new AttrSchema(spec),
  inputNames: () => ['data'],
  inferShape: (ctx) => permuteRule(ctx, (ndim) => permutation(ctx.params.axes, ndim, ctx.fail)),
  inferType: elementwise,
  gradient(ctx) {
    const { axes } = ctx.params;
    let attrs: Record<string, string> = {};
    if (axes.length > 0) {
      const perm = permutation(axes, axes.length, (m) => {
        throw new ValueError(`transpose '${ctx.node.name}': ${m}`);
      });
      const inverse = new Array<number>(perm.length);
      perm.forEach((p, i) => (inverse[p] = i));
      // MXNet prints the tuple as its TShape does.
      attrs = { axes: `[${inverse.join(',')}]` };
    }
    return [ctx.entry(ctx.makeNode('transpose', [ctx.ograd(0)], { attrs }), 0)];
  },
  kernels: { forward: 'transpose' },
});
