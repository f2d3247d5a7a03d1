// SequenceReverse: reverses the first sequence_length steps of each sequence (all T steps without
// use_sequence_length) and leaves the padding after them in place. Data is (T, N, ...): MXNet
// supports time axis 0 only.

import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp } from '../op-def.js';
import { defineBackward, sequenceInputNames, sequenceLengthShape, uniformTypeExcept, unify } from './common.js';

const spec = {
  useSequenceLength: attr.bool(false, { describe: 'Read the lengths from sequence_length.' }),
  axis: attr.int({ default: 0, describe: 'The time axis; only 0.' }),
};
export type SequenceReverseParams = ParamsOf<typeof spec>;

export const sequenceReverse = defineOp<SequenceReverseParams>({
  name: 'SequenceReverse',
  describe: 'Reverses the valid steps of each sequence.',
  attrs: new AttrSchema(spec),
  inputNames: sequenceInputNames,
  inferShape(ctx) {
    if (ctx.params.axis !== 0) ctx.fail(`only axis 0 is supported, got ${ctx.params.axis}`);
    unify(ctx, [
      ['in', 0],
      ['out', 0],
    ]);
    sequenceLengthShape(ctx, 0);
    unify(ctx, [
      ['in', 0],
      ['out', 0],
    ]);
  },
  inferType: (ctx) => uniformTypeExcept(ctx, 1),
  gradient(ctx) {
    const ins = [ctx.ograd(0), ...(ctx.params.useSequenceLength ? [ctx.input(1)] : [])];
    const bwd = ctx.makeNode('_backward_SequenceReverse', ins);
    return ctx.node.inputs.map((_, i) => ctx.entry(bwd, i));
  },
  kernels: { forward: 'sequence_reverse' },
});

/** Reverses the output gradient the same way; sequence_length gets zeros. */
export const sequenceReverseBackward = defineBackward(sequenceReverse, {
  name: '_backward_SequenceReverse',
  kernel: 'sequence_reverse_backward',
  inputs: (p) => [['out_grad', ['fwdOut', 0]], ...(p.useSequenceLength ? ([['sequence_length', ['fwdIn', 1]]] as const) : [])],
  numOutputs: (p) => sequenceInputNames(p).length,
});
