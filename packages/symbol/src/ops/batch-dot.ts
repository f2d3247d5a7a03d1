// batch_dot: matrix products over leading batch axes, (B..., m, k) x (B..., k, n) -> (B..., m, n),
// with transpose_a / transpose_b swapping the last two axes of an operand. As in MXNet, its gradient
// is two more batch_dot nodes (`<node>_backward_lhs`, `<node>_backward_rhs`) with the operands and
// transpose flags chosen so that each yields one input's gradient.

import type { NodeEntry } from '../graph.js';
import { defineOp, type Shape } from '../op-def.js';
import { elementwise, unknownShape } from './common.js';
import { DOT_ATTRS, type DotParams } from './dot.js';

type Sym = 'm' | 'n' | 'k';
const DIM_NAMES: Record<Sym, string> = { m: 'rows', n: 'columns', k: 'contracted axis' };

export const batchDot = defineOp<DotParams>({
  name: 'batch_dot',
  describe: 'Batch-wise matrix product.',
  attrs: DOT_ATTRS,
  inputNames: () => ['lhs', 'rhs'],
  inferShape(ctx) {
    const { transposeA: ta, transposeB: tb } = ctx.params;
    // The last two axes of each entry, by the matrix dimension they hold.
    const roles: [number, 'in' | 'out', readonly [Sym, Sym]][] = [
      [0, 'in', ta ? ['k', 'm'] : ['m', 'k']],
      [1, 'in', tb ? ['n', 'k'] : ['k', 'n']],
      [0, 'out', ['m', 'n']],
    ];
    const shapes = roles.map(([i, kind]) => (kind === 'in' ? ctx.inputs[i] : ctx.outputs[i]));
    const known = shapes.find((s) => s !== undefined);
    if (!known) return;
    const ndim = known.length;
    if (ndim < 3) ctx.fail('batch_dot needs arrays of 3 or more dimensions');
    const batch: Shape = unknownShape(ndim - 2);
    const dims: Record<Sym, number> = { m: 0, n: 0, k: 0 };
    const merge = (have: number, d: number, what: string): number => {
      if (have !== 0 && d !== 0 && have !== d) ctx.fail(`batch_dot shape error (${what}: ${have} vs ${d})`);
      return have || d;
    };
    shapes.forEach((s, j) => {
      if (!s) return;
      if (s.length !== ndim) ctx.fail('lhs, rhs and the output must have the same number of dimensions');
      s.slice(0, -2).forEach((d, i) => (batch[i] = merge(batch[i]!, d, `batch axis ${i}`)));
      const [a, b] = roles[j]![2];
      dims[a] = merge(dims[a], s[ndim - 2]!, DIM_NAMES[a]);
      dims[b] = merge(dims[b], s[ndim - 1]!, DIM_NAMES[b]);
    });
    roles.forEach(([i, kind, [a, b]]) => {
      const s = [...batch, dims[a], dims[b]];
      if (kind === 'in') ctx.setInput(i, s);
      else ctx.setOutput(i, s);
    });
  },
  inferType: elementwise,
  gradient(ctx) {
    const { transposeA: ta, transposeB: tb } = ctx.params;
    const [l, r, g] = [ctx.input(0), ctx.input(1), ctx.ograd(0)];
    const node = (side: 'lhs' | 'rhs', a: NodeEntry, b: NodeEntry, flags: readonly [boolean, boolean] | null): NodeEntry => {
      // MXNet keeps the forward attributes as they are when both flags stay set.
      const attrs = { ...(ctx.node.attrs as Record<string, string>) };
      if (flags) {
        attrs.transpose_a = String(flags[0]);
        attrs.transpose_b = String(flags[1]);
      }
      return ctx.entry(ctx.makeNode('batch_dot', [a, b], { name: `${ctx.node.name}_backward_${side}`, attrs }), 0);
    };
    if (ta && tb) return [node('lhs', r, g, null), node('rhs', g, l, null)];
    if (tb) return [node('lhs', g, r, [false, false]), node('rhs', g, l, [true, false])];
    if (ta) return [node('lhs', r, g, [false, true]), node('rhs', l, g, [false, false])];
    return [node('lhs', g, r, [false, true]), node('rhs', l, g, [true, false])];
  },
  kernels: { forward: 'batch_dot' },
});
