// SequenceLast: the last valid step of each sequence (step sequence_length - 1 of batch item i,
// or the final step without use_sequence_length). Data (T, N, ...) for time axis 0 or (N, T, ...)
// for axis 1; the output is (N, ...).

import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineOp } from '../op-def.js';
import { defineBackward, sequenceInputNames, sequenceLengthShape, uniformTypeExcept, unknownShape } from './common.js';

const spec = {
  useSequenceLength: attr.bool(false, { describe: 'Read the lengths from sequence_length.' }),
  axis: attr.int({ default: 0, describe: 'The time axis, 0 or 1.' }),
};
export type SequenceLastParams = ParamsOf<typeof spec>;

export const sequenceLast = defineOp<SequenceLastParams>({
  name: 'SequenceLast',
  describe: 'Takes the last valid step of each sequence.',
  attrs: new AttrSchema(spec),
  inputNames: sequenceInputNames,
  inferShape(ctx) {
    const axis = ctx.params.axis;
    sequenceLengthShape(ctx, axis);
    // data without its time axis is the output, in both directions.
    const o = ctx.outputs[0];
    if (o) {
      if (o.length === 0) ctx.fail('the output must have at least one dimension');
      ctx.setInput(0, [...o.slice(0, axis), 0, ...o.slice(axis)]);
    }
    const d = ctx.inputs[0];
    if (d)
      ctx.setOutput(
        0,
        d.filter((_, i) => i !== axis),
      );
    const n = ctx.params.useSequenceLength ? ctx.inputs[1]?.[0] : undefined;
    if (n && ctx.outputs[0]) ctx.setOutput(0, [n, ...unknownShape(ctx.outputs[0].length - 1)]);
  },
  inferType: (ctx) => uniformTypeExcept(ctx, 1),
  gradient(ctx) {
    const ins = [ctx.ograd(0), ...(ctx.params.useSequenceLength ? [ctx.input(1)] : [])];
    const bwd = ctx.makeNode('_backward_SequenceLast', ins);
    return ctx.node.inputs.map((_, i) => ctx.entry(bwd, i));
  },
  kernels: { forward: 'sequence_last' },
});

/** Scatters the output gradient into the last valid steps of zeros; sequence_length gets zeros. */
export const sequenceLastBackward = defineBackward(sequenceLast, {
  name: '_backward_SequenceLast',
  kernel: 'sequence_last_backward',
  inputs: (p) => [['out_grad', ['fwdOut', 0]], ...(p.useSequenceLength ? ([['sequence_length', ['fwdIn', 1]]] as const) : [])],
  numOutputs: (p) => sequenceInputNames(p).length,
});
