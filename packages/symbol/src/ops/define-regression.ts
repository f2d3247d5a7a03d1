// The regression loss layers (Linear-, Logistic-, MAERegressionOutput): the forward pass returns
// the data (Logistic: its sigmoid); the backward pass ignores the output gradient and sends
// grad_scale / m * f(out - label) back to the data, m being the number of outputs per example
// (f: identity for linear and logistic, sign for MAE). Their hidden backward op takes the label and
// the output and also yields the label's gradient (zeros).

import type { KernelName } from '@bkt/ndarray/core';
import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { formatShape } from '../infer.js';
import { defineOp, type OpDef } from '../op-def.js';
import { defineBackward, sizeOf, unify } from './common.js';

const spec = {
  gradScale: attr.float({ default: 1, describe: 'Scales the gradient.' }),
};
export type RegressionParams = ParamsOf<typeof spec>;

const REGRESSION_ATTRS = new AttrSchema(spec);

export function defineRegression(s: {
  name: string;
  describe: string;
  kernel: Extract<KernelName, `${string}_regression_output`>;
  backward: string;
}): { op: OpDef<RegressionParams>; backward: OpDef<RegressionParams> } {
  const bkernel = `${s.kernel}_backward` as const;
  const op = defineOp<RegressionParams>({
    name: s.name,
    describe: s.describe,
    attrs: REGRESSION_ATTRS,
    inputNames: () => ['data', 'label'],
    inferShape(ctx) {
      unify(ctx, [
        ['in', 0],
        ['out', 0],
      ]);
      const d = ctx.inputs[0];
      if (!d) return;
      const l = ctx.inputs[1];
      if (!l) {
        // A (N, 1) output takes a (N,) label by default; anything else a label shaped like it.
        ctx.setInput(1, d.length === 2 && d[1] === 1 ? [d[0]!] : d);
        return;
      }
      const sizes = [sizeOf(l), sizeOf(d)];
      const batch = [l[0] ?? 0, d[0] ?? 0];
      if (
        (batch[0] !== 0 && batch[1] !== 0 && batch[0] !== batch[1]) ||
        (sizes[0] !== 0 && sizes[1] !== 0 && sizes[0] !== sizes[1])
      ) {
        ctx.fail(`label ${formatShape(l)} does not fit data ${formatShape(d)}`);
      }
    },
    inferType: (ctx) =>
      unify(ctx, [
        ['in', 0],
        ['in', 1],
        ['out', 0],
      ]),
    selfSeeding: () => true,
    gradient(ctx) {
      const bwd = ctx.makeNode(s.backward, [ctx.input(1), ctx.output(0)]);
      return [ctx.entry(bwd, 0), ctx.entry(bwd, 1)];
    },
    kernels: { forward: s.kernel },
    inplace: () => [[0, 0]],
  });
  const backward = defineBackward(op, {
    name: s.backward,
    kernel: bkernel,
    inputs: () => [
      ['label', ['fwdIn', 1]],
      ['out_data', ['fwdOut', 0]],
    ],
    numOutputs: () => 2,
    inplace: () => [[1, 0]],
  });
  return { op, backward };
}
