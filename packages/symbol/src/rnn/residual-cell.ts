// MXNet's ResidualCell: the base cell's output plus its input (Wu et al. 2016), in nodes named
// `<output>_plus_residual`.

import { elemwise_add } from '../creators.js';
import type { Symbol } from '../symbol.js';
import { normalizeSequence, type UnrollResult, type UnrollSpec } from './base-cell.js';
import { ModifierCell } from './modifier-cell.js';

const plusResidual = (output: Symbol, input: Symbol): Symbol =>
  elemwise_add({ lhs: output, rhs: input, name: `${output.name ?? ''}_plus_residual` });

export class ResidualCell extends ModifierCell {
  step(inputs: Symbol, states: readonly Symbol[]): [Symbol, Symbol[]] {
    const [output, next] = this.baseCell.step(inputs, states);
    return [plusResidual(output, inputs), next];
  }

  // Unrolls the base cell as it would unroll itself (it may not step, e.g. BidirectionalCell),
  // then adds the inputs in the same form as the outputs.
  protected override unrollImpl(
    length: number,
    inputs: Symbol | readonly Symbol[],
    o: UnrollSpec,
  ): UnrollResult<Symbol | Symbol[]> {
    this.reset();
    this.baseCell.modified = false;
    let r: UnrollResult<Symbol | Symbol[]>;
    try {
      r = this.baseCell.unroll(length, inputs, { beginState: o.beginState, layout: o.layout, mergeOutputs: o.mergeOutputs });
    } finally {
      this.baseCell.modified = true;
    }
    const merge = o.mergeOutputs ?? !Array.isArray(r.outputs);
    const outs = normalizeSequence(length, r.outputs, o.layout, merge);
    const ins = normalizeSequence(length, inputs, o.layout, merge);
    const outputs = Array.isArray(outs)
      ? outs.map((x, i) => plusResidual(x, (ins as Symbol[])[i]!))
      : plusResidual(outs, ins as Symbol);
    return { outputs, states: r.states };
  }
}
