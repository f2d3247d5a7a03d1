// Reductions (sum, mean, max, min, norm, argmax, argmin), dot and batch_dot.
import { DTypeError, ShapeError } from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';
import {
  Group,
  MakeLoss,
  NameManager,
  Symbol,
  Variable,
  argmax,
  argmin,
  batch_dot,
  dot,
  getOp,
  max,
  max_axis,
  mean,
  min,
  norm,
  sum,
  sum_axis,
  withNameManager,
} from '../src/index.js';
import type { ReduceParams } from '../src/ops/define-reduce.js';
import { nodeNamed, nodes, roundTrip, withOut } from './fixtures.js';

const x = (name = 'x'): Symbol => Variable(name);
type Reduce = (args: { data: Symbol; name?: string } & Partial<ReduceParams>) => Symbol;
const REDUCE: [string, Reduce, string, boolean][] = [
  ['sum', sum, '_backward_sum', false],
  ['mean', mean, '_backward_mean', false],
  ['max', max, '_backward_max', true],
  ['min', min, '_backward_min', true],
];

describe('reductions over axes', () => {
  const shape = (f: Reduce, p: Partial<ReduceParams>, d: number[]) => f({ data: x(), ...p }).inferShape({ x: d }).outShapes[0];

  it('follow MXNet: all axes by default, one or several, keepdims, exclude', () => {
    for (const [op, f] of REDUCE) {
      expect(shape(f, {}, [2, 3, 4]), op).toEqual([1]);
      expect(shape(f, { keepdims: true }, [2, 3, 4]), op).toEqual([1, 1, 1]);
      expect(shape(f, { axis: 1 }, [2, 3, 4]), op).toEqual([2, 4]);
      expect(shape(f, { axis: [0, -1] }, [2, 3, 4]), op).toEqual([3]);
      expect(shape(f, { axis: [2, 0], keepdims: true }, [2, 3, 4]), op).toEqual([1, 3, 1]);
      expect(shape(f, { axis: 1, exclude: true }, [2, 3, 4]), op).toEqual([3]);
      expect(shape(f, { axis: [0, 1], exclude: true, keepdims: true }, [2, 3, 4]), op).toEqual([2, 3, 1]);
      expect(shape(f, { axis: [0, 1, 2] }, [2, 3, 4]), op).toEqual([1]);
      // An empty axis tuple reduces everything, exclude or not (ReduceAxesShapeImpl).
      expect(shape(f, { axis: [], exclude: true }, [2, 3, 4]), op).toEqual([1]);
    }
  });

  it('fill the kept axes of the data from the output', () => {
    const s = withOut(sum({ data: x(), axis: 1, name: 's' }));
    expect(s.inferShapePartial({ x: [0, 3, 0], y: [2, 4] }).argShapes[0]).toEqual([2, 3, 4]);
    const k = withOut(sum({ data: x(), axis: [1], keepdims: true, name: 's' }));
    expect(k.inferShapePartial({ y: [2, 1, 4] }).argShapes[0]).toEqual([2, 0, 4]);
    const e = withOut(max({ data: x(), axis: [2, 0], exclude: true, name: 's' }));
    expect(e.inferShapePartial({ x: [0, 5, 0], y: [7, 9] }).argShapes[0]).toEqual([7, 5, 9]);
  });

  it('name node and op on bad axes', () => {
    const run = (p: Partial<ReduceParams>) => () => sum({ data: x(), name: 'r', ...p }).inferShape({ x: [2, 3] });
    expect(run({ axis: 2 })).toThrow(ShapeError);
    expect(run({ axis: 2 })).toThrow(/sum 'r': axis 2 is out of range for 2 dimensions/);
    expect(run({ axis: [1, -1] })).toThrow(/sum 'r': reduction axes have duplicates/);
    expect(() => withOut(sum({ data: x(), axis: 1, keepdims: true, name: 'r' })).inferShape({ x: [2, 3], y: [2, 3] })).toThrow(
      /inconsistent shape/,
    );
  });

  it('keep the input type', () => {
    for (const [op, f] of REDUCE) {
      expect(f({ data: x() }).inferType({ x: 'float64' }).outTypes, op).toEqual(['float64']);
      expect(withOut(f({ data: x(), name: 'r' })).inferType({ y: 'float16' }).argTypes[0], op).toBe('float16');
    }
  });

  it('write axis as Python does and read ints, tuples and None', () => {
    expect(sum({ data: x(), axis: 1 }).outputs[0]!.node.attrs).toEqual({ axis: '1' });
    expect(sum({ data: x(), axis: [0, 2] }).outputs[0]!.node.attrs).toEqual({ axis: '(0, 2)' });
    expect(sum({ data: x(), axis: [1] }).outputs[0]!.node.attrs).toEqual({ axis: '(1,)' });
    expect(sum({ data: x(), axis: null }).outputs[0]!.node.attrs).toEqual({ axis: 'None' });
    const parse = (axis: string) => getOp('sum').attrs.parse({ axis }, 'sum').axis;
    expect([parse('1'), parse('(1,)'), parse('[0, 2]'), parse('None'), parse('()')]).toEqual([1, [1], [0, 2], null, []]);
    expect(() => parse('one')).toThrow(/invalid value 'one' for parameter 'axis' \(None or an int or a tuple of ints\)/);
  });

  it('differentiate as MXNet: sum and mean from the output gradient, max and min also from data and output', () => {
    for (const [op, f, gradOp, inout] of REDUCE) {
      const loss = MakeLoss({ data: f({ data: x(), axis: 1, name: 'r' }) });
      const g = loss.gradient(['x']);
      const bwd = g.outputs[0]!.node;
      expect(bwd.op!.name, op).toBe(gradOp);
      expect(bwd.attrs, op).toEqual({ axis: '1' });
      expect(
        bwd.inputs.slice(1).map((e) => e.node.outputName(e.index)),
        op,
      ).toEqual(inout ? ['x', 'r_output'] : []);
      expect(Group([loss, g]).inferShape({ x: [2, 3, 4] }).outShapes, op).toEqual([
        [2, 4],
        [2, 3, 4],
      ]);
    }
  });

  it('register sum_axis, max_axis and min_axis', () => {
    expect(sum_axis({ data: x() }).outputs[0]!.node.op).toBe(getOp('sum'));
    expect(max_axis({ data: x() }).name).toBe('max_axis0');
    expect(getOp('min_axis')).toBe(getOp('min'));
  });
});

describe('norm', () => {
  it('reduces like sum and checks ord', () => {
    expect(norm({ data: x() }).inferShape({ x: [2, 3] }).outShapes).toEqual([[1]]);
    expect(norm({ data: x(), ord: 1, axis: 1, keepdims: true }).inferShape({ x: [2, 3] }).outShapes).toEqual([[2, 1]]);
    expect(() => norm({ data: x(), ord: 3, name: 'n' }).inferShape({ x: [2, 3] })).toThrow(
      /norm 'n': norm only supports ord=1 and ord=2/,
    );
  });

  it('fills the kept axes of the data from the output', () => {
    expect(withOut(norm({ data: x(), axis: 1 })).inferShapePartial({ x: [0, 3, 0], y: [2, 4] }).argShapes[0]).toEqual([2, 3, 4]);
  });

  it('types its output by out_dtype, else like the input', () => {
    expect(norm({ data: x() }).inferType({ x: 'float64' }).outTypes).toEqual(['float64']);
    expect(norm({ data: x(), outDtype: 'float16' }).inferType({ x: 'float32' }).outTypes).toEqual(['float16']);
    expect(norm({ data: x(), outDtype: 'float16' }).outputs[0]!.node.attrs).toEqual({ out_dtype: 'float16' });
  });

  it('differentiates through _backward_norm from data and output', () => {
    const loss = MakeLoss({ data: norm({ data: x(), axis: [0, 1], name: 'n' }) });
    const g = loss.gradient(['x']);
    expect(g.outputs[0]!.node.op!.name).toBe('_backward_norm');
    expect(g.outputs[0]!.node.inputs).toHaveLength(3);
    expect(Group([loss, g]).inferShape({ x: [2, 3, 4] }).outShapes).toEqual([[4], [2, 3, 4]]);
  });
});

describe('argmax and argmin', () => {
  it('reduce one axis, or all', () => {
    for (const f of [argmax, argmin]) {
      expect(f({ data: x(), axis: 1 }).inferShape({ x: [2, 3, 4] }).outShapes).toEqual([[2, 4]]);
      expect(f({ data: x(), axis: -1, keepdims: true }).inferShape({ x: [2, 3, 4] }).outShapes).toEqual([[2, 3, 1]]);
      expect(f({ data: x() }).inferShape({ x: [2, 3, 4] }).outShapes).toEqual([[1]]);
      expect(f({ data: x(), keepdims: true }).inferShape({ x: [2, 3] }).outShapes).toEqual([[1, 1]]);
      expect(f({ data: x(), axis: 0 }).inferType({ x: 'float64' }).outTypes).toEqual(['float64']);
    }
    expect(() => argmin({ data: x(), axis: 3, name: 'a' }).inferShape({ x: [2, 3] })).toThrow(
      /argmin 'a': axis 3 is out of range/,
    );
    expect(getOp('argmin').kernels).toEqual({ forward: 'argmin' });
  });

  it('fill the data from the output with keepdims', () => {
    expect(withOut(argmax({ data: x(), axis: 1, keepdims: true })).inferShapePartial({ y: [2, 1, 4] }).argShapes[0]).toEqual([
      2, 0, 4,
    ]);
    expect(() => withOut(argmax({ data: x(), axis: 1, keepdims: true, name: 'am' })).inferShape({ y: [2, 3, 4] })).toThrow(
      /argmax 'am'/,
    );
  });

  it('have zero gradients', () => {
    const loss = MakeLoss({ data: argmax({ data: x(), axis: 1, name: 'am' }) });
    const g = loss.gradient(['x']);
    expect(g.outputs[0]!.node.op!.name).toBe('zeros_like');
    expect(g.outputs[0]!.node.name).toBe('am_backward');
    expect(Group([loss, g]).inferShape({ x: [2, 3] }).outShapes[1]).toEqual([2, 3]);
  });
});

describe('dot', () => {
  const d = (p: { transposeA?: boolean; transposeB?: boolean } = {}) => dot({ lhs: x('a'), rhs: x('b'), name: 'd', ...p });

  it('contracts lhs last and rhs first axes, or the transposed ones', () => {
    expect(d().inferShape({ a: [2, 3], b: [3, 5] }).outShapes).toEqual([[2, 5]]);
    expect(d().inferShape({ a: [2, 4, 3], b: [3, 5, 6] }).outShapes).toEqual([[2, 4, 5, 6]]);
    expect(d({ transposeA: true }).inferShape({ a: [3, 2], b: [3, 5] }).outShapes).toEqual([[2, 5]]);
    expect(d({ transposeB: true }).inferShape({ a: [2, 3], b: [5, 3] }).outShapes).toEqual([[2, 5]]);
    expect(d({ transposeA: true, transposeB: true }).inferShape({ a: [3, 2], b: [5, 3] }).outShapes).toEqual([[2, 5]]);
    expect(d().inferShape({ a: [3], b: [3] }).outShapes).toEqual([[1]]);
    expect(d().inferShape({ a: [3], b: [3, 4] }).outShapes).toEqual([[4]]);
  });

  it('fills the contracted axis and the other operand from the output', () => {
    expect(d().inferShapePartial({ a: [2, 0], b: [3, 5] }).argShapes[0]).toEqual([2, 3]);
    expect(withOut(d()).inferShape({ a: [2, 3], y: [2, 7] }).argShapes[1]).toEqual([3, 7]);
    expect(withOut(d({ transposeB: true })).inferShape({ b: [7, 3], y: [2, 4, 7] }).argShapes[0]).toEqual([2, 4, 3]);
    expect(withOut(d({ transposeA: true })).inferShape({ a: [3, 2], y: [2] }).argShapes[1]).toEqual([3]);
  });

  it('names node and op on mismatches', () => {
    const run = () => d().inferShape({ a: [2, 3], b: [4, 5] });
    expect(run).toThrow(ShapeError);
    expect(run).toThrow(/dot 'd': dot shape error: \(2, 3\) X \(4, 5\)/);
    expect(() => d({ transposeA: true }).inferShape({ a: [3], b: [3] })).toThrow(/dot 'd': cannot transpose vectors/);
    expect(() => d().inferType({ a: 'float32', b: 'float64' })).toThrow(DTypeError);
  });

  it('differentiates through _backward_dot into both operands', () => {
    const loss = MakeLoss({ data: d({ transposeB: true }) });
    const g = loss.gradient(['a', 'b']);
    expect(g.outputs.map((e) => `${e.node.op!.name}:${e.index}`)).toEqual(['_backward_dot:0', '_backward_dot:1']);
    expect(g.outputs[0]!.node.attrs).toEqual({ transpose_b: 'True' });
    expect(
      Group([loss, g])
        .inferShape({ a: [2, 3], b: [5, 3] })
        .outShapes.slice(1),
    ).toEqual([
      [2, 3],
      [5, 3],
    ]);
  });
});

describe('batch_dot', () => {
  const bd = (ta: boolean, tb: boolean) => batch_dot({ lhs: x('a'), rhs: x('b'), name: 'bd', transposeA: ta, transposeB: tb });
  const CASES: [boolean, boolean, number[], number[]][] = [
    [false, false, [4, 2, 3], [4, 3, 5]],
    [true, false, [4, 3, 2], [4, 3, 5]],
    [false, true, [4, 2, 3], [4, 5, 3]],
    [true, true, [4, 3, 2], [4, 5, 3]],
  ];

  it('multiplies batches of matrices, transposed as asked, in every direction', () => {
    for (const [ta, tb, a, b] of CASES) {
      expect(bd(ta, tb).inferShape({ a, b }).outShapes, `${ta} ${tb}`).toEqual([[4, 2, 5]]);
      const back = withOut(bd(ta, tb)).inferShapePartial({ a, y: [4, 2, 5] }).argShapes[1];
      expect(back, `${ta} ${tb}`).toEqual(b);
    }
    expect(bd(false, false).inferShape({ a: [7, 4, 2, 3], b: [7, 4, 3, 5] }).outShapes).toEqual([[7, 4, 2, 5]]);
  });

  it('types lhs, rhs and output alike', () => {
    expect(bd(true, false).inferType({ b: 'float64' }).argTypes).toEqual(['float64', 'float64']);
    expect(() => bd(false, false).inferType({ a: 'float64', b: 'float16' })).toThrow(/batch_dot 'bd'.*inconsistent type/);
  });

  it('names node and op on mismatches', () => {
    expect(() => bd(false, false).inferShape({ a: [4, 2, 3], b: [5, 3, 5] })).toThrow(
      /batch_dot 'bd': batch_dot shape error \(batch axis 0: 4 vs 5\)/,
    );
    expect(() => bd(false, false).inferShape({ a: [4, 2, 3], b: [4, 2, 5] })).toThrow(/contracted axis: 3 vs 2/);
    expect(() => bd(false, false).inferShape({ a: [2, 3], b: [3, 5] })).toThrow(/needs arrays of 3 or more dimensions/);
    expect(() => bd(false, false).inferShape({ a: [1, 2, 3], b: [1, 1, 3, 5] })).toThrow(/same number of dimensions/);
  });

  it('differentiates into two batch_dot nodes with MXNet flags, for every flag combination', () => {
    const expected: Record<string, [string, string, string, string]> = {
      'false false': ['grad,b', 'false/true', 'a,grad', 'true/false'],
      'true false': ['b,grad', 'false/true', 'a,grad', 'false/false'],
      'false true': ['grad,b', 'false/false', 'grad,a', 'true/false'],
      'true true': ['b,grad', 'True/True', 'grad,a', 'True/True'],
    };
    for (const [ta, tb, a, b] of CASES) {
      const key = `${ta} ${tb}`;
      const loss = MakeLoss({ data: bd(ta, tb), name: 'loss' });
      const g = loss.gradient(['a', 'b']);
      const [gl, gr] = g.outputs.map((e) => e.node);
      const describe = (n: typeof gl) => [
        n!.inputs.map((e) => (e.node.name === 'loss_backward' ? 'grad' : e.node.name)).join(','),
        `${n!.attrs.transpose_a}/${n!.attrs.transpose_b}`,
      ];
      // With both flags set MXNet copies the forward attributes as written (`True`).
      expect([...describe(gl), ...describe(gr)], key).toEqual(expected[key]);
      expect([gl!.name, gr!.name, gl!.op!.name], key).toEqual(['bd_backward_lhs', 'bd_backward_rhs', 'batch_dot']);
      expect(
        gl!.controlDeps.map((n) => n.name),
        key,
      ).toEqual(['bd']);
      expect(Group([loss, g]).inferShape({ a, b }).outShapes.slice(1), key).toEqual([a, b]);
    }
  });
});

describe('reductions and products in symbol JSON', () => {
  it('round-trip with MXNet attribute strings', () => {
    const sym = withNameManager(new NameManager(), () =>
      Group([
        sum({ data: x(), axis: [0, 1], keepdims: true, exclude: false }),
        mean({ data: x(), axis: 1 }),
        max({ data: x(), axis: null }),
        min({ data: x(), exclude: true, axis: [0] }),
        norm({ data: x(), ord: 1, axis: -1, outDtype: 'float64', keepdims: true }),
        argmax({ data: x(), axis: 0, keepdims: false }),
        argmin({ data: x() }),
        dot({ lhs: x(), rhs: x('w'), transposeA: true, forwardStype: 'default' }),
        batch_dot({ lhs: x(), rhs: x('w'), transposeB: true }),
      ]),
    );
    const text = roundTrip(sym);
    expect(nodeNamed(sym, 'sum0').attrs).toEqual({ axis: '(0, 1)', keepdims: 'True', exclude: 'False' });
    expect(nodeNamed(sym, 'norm0').attrs).toEqual({ ord: '1', axis: '-1', out_dtype: 'float64', keepdims: 'True' });
    expect(nodeNamed(sym, 'dot0').attrs).toEqual({ transpose_a: 'True', forward_stype: 'default' });
    const loss = MakeLoss({ data: batch_dot({ lhs: x(), rhs: x('w') }) });
    roundTrip(Group([loss, loss.gradient(['x', 'w'])]));
    expect(text).toContain('"op": "batch_dot"');
    expect(nodes(sym).filter((n) => n.op).length).toBe(9);
  });
});
