// SequenceMask: sets the steps of each sequence past its length (sequence_length, one per batch
// item) to `value`; without use_sequence_length every sequence is full and nothing changes. The
// time axis is 0 (data (T, N, ...)) or 1 ((N, T, ...)).

import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp, type OpDef } from '../op-def.js';
import { defineBackward, sequenceInputNames, sequenceLengthShape, uniformTypeExcept, unify } from './common.js';

const spec = {
  useSequenceLength: attr.bool(false, { describe: 'Read the lengths from sequence_length.' }),
  value: attr.float({ default: 0, describe: 'The value of masked steps.' }),
  axis: attr.int({ default: 0, describe: 'The time axis, 0 or 1.' }),
};
export type SequenceMaskParams = ParamsOf<typeof spec>;

export const sequenceMask = defineOp<SequenceMaskParams>({
  name: 'SequenceMask',
  describe: 'Masks the steps past each sequence length.',
  attrs: new AttrSchema(spec),
  inputNames: sequenceInputNames,
  inferShape(ctx) {
    unify(ctx, [
      ['in', 0],
      ['out', 0],
    ]);
    sequenceLengthShape(ctx, ctx.params.axis);
    unify(ctx, [
      ['in', 0],
      ['out', 0],
    ]);
  },
  inferType: (ctx) => uniformTypeExcept(ctx, 1),
  gradient(ctx) {
    const ins = [ctx.ograd(0), ...(ctx.params.useSequenceLength ? [ctx.input(1)] : [])];
    const bwd = ctx.makeNode('_backward_SequenceMask', ins);
    return ctx.node.inputs.map((_, i) => ctx.entry(bwd, i));
  },
  kernels: { forward: 'sequence_mask' },
  inplace: () => [[0, 0]],
});

/** Masks the output gradient as the forward pass masked the data; sequence_length gets zeros. */
export const sequenceMaskBackward: OpDef<SequenceMaskParams> = {
  ...defineBackward(sequenceMask, {
    name: '_backward_SequenceMask',
    kernel: 'sequence_mask_backward',
    inputs: (p) => [['out_grad', ['fwdOut', 0]], ...(p.useSequenceLength ? ([['sequence_length', ['fwdIn', 1]]] as const) : [])],
    numOutputs: (p) => sequenceInputNames(p).length,
  }),
  inplace: () => [[0, 0]],
};
