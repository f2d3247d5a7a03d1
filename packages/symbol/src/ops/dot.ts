// dot: the sum product over the last axis of lhs and the first axis of rhs (`transpose_a` contracts
// lhs's first axis instead, `transpose_b` rhs's last); two vectors give their inner product as
// (1,). The output is lhs's other axes followed by rhs's. Gradient: `_backward_dot` from the output
// gradient and both inputs.

import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { formatShape } from '../infer.js';
import { defineOp, type Shape } from '../op-def.js';
import { defineBackward, elementwise } from './common.js';

const spec = {
  transposeA: attr.bool(false, { describe: 'Transpose lhs before the product.' }),
  transposeB: attr.bool(false, { describe: 'Transpose rhs before the product.' }),
  forwardStype: attr.optional(attr.enumOf(['csr', 'default', 'row_sparse']), {
    describe: 'Storage type of the output (sparse hint; bkt is dense).',
  }),
};
export type DotParams = ParamsOf<typeof spec>;

/** dot's and batch_dot's parameters (MXNet's DotParam). */
export const DOT_ATTRS = new AttrSchema(spec);

// The contracted dimension of an operand and the axes it keeps. `first` contracts axis 0 (lhs with
// transpose_a, rhs without transpose_b), else the last axis.
interface Parts {
  k: number;
  keep: Shape;
}
const split = (s: Shape, first: boolean): Parts =>
  first ? { k: s[0]!, keep: s.slice(1) } : { k: s[s.length - 1]!, keep: s.slice(0, -1) };
const join = (keep: Shape, k: number, first: boolean): Shape => (first ? [k, ...keep] : [...keep, k]);

export const dot = defineOp<DotParams>({
  name: 'dot',
  describe: 'Dot product of two arrays.',
  attrs: DOT_ATTRS,
  inputNames: () => ['lhs', 'rhs'],
  inferShape(ctx) {
    const lFirst = ctx.params.transposeA;
    const rFirst = !ctx.params.transposeB;
    const o = ctx.outputs[0];
    // Backward: with the output and a matrix (or higher) operand, the other operand's axes are
    // the rest of the output plus the contracted one. (A vector operand leaves that ambiguous.)
    const [l0, r0] = ctx.inputs;
    if (o && l0 && !r0 && l0.length >= 2) {
      const L = split(l0, lFirst);
      if (o.length < L.keep.length) ctx.fail('the output has fewer axes than lhs keeps');
      ctx.setInput(1, join(o.slice(L.keep.length), L.k, rFirst));
    }
    if (o && r0 && !l0 && r0.length >= 2) {
      const R = split(r0, rFirst);
      if (o.length < R.keep.length) ctx.fail('the output has fewer axes than rhs keeps');
      ctx.setInput(0, join(o.slice(0, o.length - R.keep.length), R.k, lFirst));
    }
    const [l, r] = ctx.inputs;
    if (!l || !r) return;
    if (l.length === 0 || r.length === 0) ctx.fail('operands must have at least one dimension');
    const vectors = l.length === 1 && r.length === 1;
    if (vectors && (ctx.params.transposeA || ctx.params.transposeB)) ctx.fail('cannot transpose vectors');
    const L = split(l, lFirst);
    const R = split(r, rFirst);
    if (L.k !== 0 && R.k !== 0 && L.k !== R.k) ctx.fail(`dot shape error: ${formatShape(l)} X ${formatShape(r)}`);
    const k = L.k || R.k;
    ctx.setOutput(0, vectors ? [1] : [...L.keep, ...R.keep]);
    const out = ctx.outputs[0]!;
    ctx.setInput(0, join(vectors ? [] : out.slice(0, L.keep.length), k, lFirst));
    ctx.setInput(1, join(vectors ? [] : out.slice(L.keep.length), k, rFirst));
  },
  inferType: elementwise,
  gradient(ctx) {
    const bwd = ctx.makeNode('_backward_dot', [ctx.ograd(0), ctx.input(0), ctx.input(1)]);
    return [ctx.entry(bwd, 0), ctx.entry(bwd, 1)];
  },
  kernels: { forward: 'dot' },
});

export const dotBackward = defineBackward(dot, {
  name: '_backward_dot',
  kernel: 'dot_backward',
  inputs: () => [
    ['out_grad', ['fwdOut', 0]],
    ['lhs', ['fwdIn', 0]],
    ['rhs', ['fwdIn', 1]],
  ],
  numOutputs: () => 2,
});
