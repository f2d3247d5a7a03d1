// Shape manipulation and indexing (Flatten, expand_dims, squeeze, transpose, SwapAxis,
// slice_axis, Pad, stack, take, pick, one_hot, where, ones_like, Cast).
import { DTypeError, ShapeError, ValueError } from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';
import {
  Cast,
  Flatten,
  Group,
  MakeLoss,
  NameManager,
  Pad,
  SwapAxis,
  Variable,
  cast,
  expand_dims,
  flatten,
  getOp,
  one_hot,
  ones_like,
  pad,
  pick,
  slice_axis,
  squeeze,
  stack,
  swapaxes,
  take,
  transpose,
  where,
  withNameManager,
  type Symbol,
} from '../src/index.js';
import { conflicting, nodeNamed, roundTrip, withOut } from './fixtures.js';

const x = (name = 'x'): Symbol => Variable(name);
const out = (s: Symbol, known: Record<string, number[]>) => s.inferShape(known).outShapes[0];
const arg = (s: Symbol, known: Record<string, number[]>, i = 0) => s.inferShapePartial(known).argShapes[i];

/** The gradient of x through MakeLoss(s): its nodes' ops and the inferred gradient shape. */
function grad(s: Symbol, known: Record<string, number[]>, wrt = ['x']): { ops: string[]; shapes: number[][] } {
  const loss = MakeLoss({ data: s });
  const g = loss.gradient(wrt);
  return {
    ops: g.outputs.map((e) => e.node.op!.name),
    shapes: Group([loss, g]).inferShape(known).outShapes.slice(1),
  };
}

describe('Flatten', () => {
  it('collapses all axes but the first, and fills data from the output', () => {
    expect(out(Flatten({ data: x() }), { x: [2, 3, 4] })).toEqual([2, 12]);
    expect(out(flatten({ data: x() }), { x: [5] })).toEqual([5, 1]);
    expect(arg(withOut(Flatten({ data: x() })), { x: [0, 3, 0], y: [2, 12] })).toEqual([2, 3, 4]);
    const run = () => conflicting((s) => Flatten({ data: s, name: 'f' })).inferShape({ w: [2, 3, 4], y: [2, 5] });
    expect(run).toThrow(ShapeError);
    expect(run).toThrow(/Flatten 'f': inconsistent shape for output 'f_output': have \(2, 5\), inferred \(2, 12\)/);
  });

  it('differentiates through _backward_copy and computes in place', () => {
    expect(grad(Flatten({ data: x() }), { x: [2, 3, 4] })).toEqual({ ops: ['_backward_copy'], shapes: [[2, 3, 4]] });
    expect(getOp('flatten').inplace?.({})).toEqual([[0, 0]]);
  });
});

describe('expand_dims', () => {
  it('inserts an axis of length 1, both ways', () => {
    expect(out(expand_dims({ data: x(), axis: 1 }), { x: [2, 3] })).toEqual([2, 1, 3]);
    expect(out(expand_dims({ data: x(), axis: -1 }), { x: [2, 3] })).toEqual([2, 3, 1]);
    expect(out(expand_dims({ data: x(), axis: 2 }), { x: [2, 3] })).toEqual([2, 3, 1]);
    expect(arg(withOut(expand_dims({ data: x(), axis: 0 })), { y: [1, 4, 5] })).toEqual([4, 5]);
  });

  it('names node and op on a bad axis or output', () => {
    expect(() => expand_dims({ data: x(), axis: 3, name: 'e' }).inferShape({ x: [2, 3] })).toThrow(
      /expand_dims 'e': axis 3 is out of range for 3 dimensions/,
    );
    expect(() => withOut(expand_dims({ data: x(), axis: 0, name: 'e' })).inferShape({ y: [2, 4] })).toThrow(
      /expand_dims 'e': the output's axis 0 must have length 1/,
    );
  });

  it('differentiates through _backward_reshape', () => {
    expect(grad(expand_dims({ data: x(), axis: 1 }), { x: [2, 3] })).toEqual({ ops: ['_backward_reshape'], shapes: [[2, 3]] });
  });
});

describe('squeeze', () => {
  it('drops all unit axes, or the listed ones, keeping at least one', () => {
    expect(out(squeeze({ data: x() }), { x: [1, 3, 1, 2] })).toEqual([3, 2]);
    expect(out(squeeze({ data: x(), axis: 2 }), { x: [1, 3, 1, 2] })).toEqual([1, 3, 2]);
    expect(out(squeeze({ data: x(), axis: [0, -2] }), { x: [1, 3, 1, 2] })).toEqual([3, 2]);
    expect(out(squeeze({ data: x() }), { x: [1, 1] })).toEqual([1]);
  });

  it('fills the data from the output when the axes are given', () => {
    expect(arg(withOut(squeeze({ data: x(), axis: [0, 2] })), { y: [3, 2] })).toEqual([1, 3, 1, 2]);
    expect(arg(withOut(squeeze({ data: x(), axis: 1 })), { x: [0, 1, 0], y: [4, 5] })).toEqual([4, 1, 5]);
    // Without axes, an unknown length may or may not be squeezed: nothing is inferred.
    expect(squeeze({ data: x() }).inferShapePartial({ x: [1, 0] }).outShapes[0]).toBeUndefined();
  });

  it('names node and op when a listed axis is not of length 1', () => {
    const run = () => squeeze({ data: x(), axis: 1, name: 'sq' }).inferShape({ x: [2, 3] });
    expect(run).toThrow(ShapeError);
    expect(run).toThrow(/squeeze 'sq': cannot squeeze axis 1 of length 3 in \(2, 3\)/);
  });

  it('differentiates through _backward_squeeze', () => {
    expect(grad(squeeze({ data: x() }), { x: [1, 3, 1] })).toEqual({ ops: ['_backward_squeeze'], shapes: [[1, 3, 1]] });
  });
});

describe('transpose and SwapAxis', () => {
  it('permute the axes, both ways', () => {
    expect(out(transpose({ data: x() }), { x: [2, 3, 4] })).toEqual([4, 3, 2]);
    expect(out(transpose({ data: x(), axes: [1, 2, 0] }), { x: [2, 3, 4] })).toEqual([3, 4, 2]);
    expect(out(transpose({ data: x(), axes: [0, -1, 1] }), { x: [2, 3, 4] })).toEqual([2, 4, 3]);
    expect(arg(withOut(transpose({ data: x(), axes: [1, 2, 0] })), { y: [3, 4, 2] })).toEqual([2, 3, 4]);
    expect(out(SwapAxis({ data: x(), dim1: 0, dim2: 2 }), { x: [2, 3, 4] })).toEqual([4, 3, 2]);
    expect(out(swapaxes({ data: x(), dim1: 1, dim2: -1 }), { x: [2, 3, 4] })).toEqual([2, 4, 3]);
    expect(arg(withOut(SwapAxis({ data: x(), dim1: 0, dim2: 1 })), { y: [5, 6] })).toEqual([6, 5]);
  });

  it('name node and op on bad axes', () => {
    expect(() => transpose({ data: x(), axes: [1, 0], name: 't' }).inferShape({ x: [2, 3, 4] })).toThrow(
      /transpose 't': axes \(1, 0\) do not match the 3 dimensions/,
    );
    expect(() => transpose({ data: x(), axes: [1, 1], name: 't' }).inferShape({ x: [2, 3] })).toThrow(/repeat an axis/);
    expect(() => SwapAxis({ data: x(), dim1: 0, dim2: 3, name: 's' }).inferShape({ x: [2, 3] })).toThrow(
      /SwapAxis 's': axis 3 is out of range/,
    );
  });

  it('differentiate as MXNet: transpose by the inverse permutation, SwapAxis by _backward_SwapAxis', () => {
    const t = MakeLoss({ data: transpose({ data: x(), axes: [1, 2, 0], name: 't' }) });
    const g = t.gradient(['x']).outputs[0]!.node;
    expect([g.op!.name, g.name, g.attrs]).toEqual(['transpose', 't_backward', { axes: '[2,0,1]' }]);
    expect(grad(transpose({ data: x(), axes: [1, 2, 0] }), { x: [2, 3, 4] }).shapes).toEqual([[2, 3, 4]]);
    const r = MakeLoss({ data: transpose({ data: x(), name: 't' }) }).gradient(['x']).outputs[0]!.node;
    expect(r.attrs).toEqual({});
    expect(grad(SwapAxis({ data: x(), dim1: 0, dim2: 2 }), { x: [2, 3, 4] })).toEqual({
      ops: ['_backward_SwapAxis'],
      shapes: [[2, 3, 4]],
    });
  });
});

describe('Pad', () => {
  const W = [0, 0, 0, 0, 1, 2, 3, 0];
  const p = (mode: 'constant' | 'edge' | 'reflect' = 'constant', padWidth = W) => Pad({ data: x(), mode, padWidth, name: 'p' });

  it('adds the widths to the spatial axes, in both directions, and keeps MXNet attribute strings', () => {
    expect(out(p(), { x: [2, 3, 4, 5] })).toEqual([2, 3, 7, 8]);
    expect(out(pad({ data: x(), padWidth: [0, 0, 0, 0, 1, 1, 1, 1, 1, 1] }), { x: [1, 1, 2, 2, 2] })).toEqual([1, 1, 4, 4, 4]);
    expect(arg(withOut(p()), { y: [2, 3, 7, 8] })).toEqual([2, 3, 4, 5]);
    const s = Pad({ data: x(), mode: 'reflect', padWidth: W, constantValue: 0.5, name: 'p' });
    expect(s.outputs[0]!.node.attrs).toEqual({ constant_value: '0.5', mode: 'reflect', pad_width: '(0, 0, 0, 0, 1, 2, 3, 0)' });
    roundTrip(s);
  });

  it('names node and op on data and widths it cannot pad', () => {
    expect(() => p().inferShape({ x: [2, 3, 4] })).toThrow(/Pad 'p': data must be 4-D or 5-D, got 3-D/);
    expect(() => p('constant', [0, 0, 1, 1]).inferShape({ x: [2, 3, 4, 5] })).toThrow(/pad_width has 4 values, 8 expected/);
    expect(() => p('constant', [1, 0, 0, 0, 1, 1, 1, 1]).inferShape({ x: [2, 3, 4, 5] })).toThrow(
      /batch and channel axes cannot be padded/,
    );
    expect(() => p('reflect').inferShape({ x: [2, 3, 4, 3] })).toThrow(
      /Pad 'p': reflect padding of axis 3 \(length 3\) needs widths below its length/,
    );
    expect(() => withOut(p()).inferShape({ y: [2, 3, 2, 8] })).toThrow(/the output \(2, 3, 2, 8\) is smaller than the padding/);
    expect(() => Pad({ data: x(), padWidth: W, mode: 'wrap' as 'edge' })).toThrow(ValueError);
  });

  it('differentiates through _backward_Pad', () => {
    expect(grad(p('edge'), { x: [2, 3, 4, 5] })).toEqual({ ops: ['_backward_Pad'], shapes: [[2, 3, 4, 5]] });
  });
});

describe('slice_axis', () => {
  const sl = (begin: number, end: number | null, axis = 1) => slice_axis({ data: x(), axis, begin, end, name: 'sl' });

  it('slices one axis with MXNet bounds', () => {
    expect(out(sl(1, 3), { x: [2, 5, 4] })).toEqual([2, 2, 4]);
    expect(out(sl(1, null), { x: [2, 5] })).toEqual([2, 4]);
    expect(out(sl(-3, -1), { x: [2, 5] })).toEqual([2, 2]);
    expect(out(sl(0, -1, -1), { x: [2, 5] })).toEqual([2, 4]);
  });

  it('knows the slice length without the axis when both bounds count from the same end', () => {
    expect(sl(1, 3).inferShapePartial({ x: [2, 0] }).outShapes[0]).toEqual([2, 2]);
    expect(sl(-2, null).inferShapePartial({ x: [2, 0] }).outShapes[0]).toEqual([2, 2]);
    expect(sl(1, null).inferShapePartial({ x: [2, 0] }).outShapes[0]).toEqual([2, 0]);
  });

  it('fills the data from the output, and the axis when one bound counts from the end', () => {
    expect(arg(withOut(sl(1, null)), { y: [2, 4] })).toEqual([2, 5]);
    expect(arg(withOut(sl(-3, 4)), { y: [2, 2] })).toEqual([2, 5]);
    // Length 1 is the only one giving -3..2 four elements, and -3 does not fit in it.
    expect(() => withOut(sl(-3, 2)).inferShape({ y: [2, 4] })).toThrow(
      /slice_axis 'sl': invalid begin=-3, end=2 for axis 1 of length 1/,
    );
    expect(() => withOut(sl(-3, 2)).inferShape({ y: [2, 5] })).toThrow(/slice_axis 'sl': no length of axis 1 gives a slice of 5/);
    expect(arg(withOut(sl(1, 3)), { y: [2, 2] })).toEqual([2, 0]);
  });

  it('names node and op on bad bounds, and requires end', () => {
    expect(() => sl(3, 1).inferShape({ x: [2, 5] })).toThrow(/slice_axis 'sl': invalid begin=3, end=1 for axis 1 of length 5/);
    expect(() => sl(1, 7).inferShape({ x: [2, 5] })).toThrow(ShapeError);
    expect(() => sl(0, null, 2).inferShape({ x: [2, 5] })).toThrow(/axis 2 is out of range/);
    expect(() => slice_axis({ data: x(), axis: 0, begin: 0 })).toThrow(/required parameter 'end' is missing/);
    expect(sl(1, null).outputs[0]!.node.attrs).toEqual({ axis: '1', begin: '1', end: 'None' });
  });

  it('differentiates through _backward_slice_axis', () => {
    expect(grad(sl(1, 3), { x: [2, 5] })).toEqual({ ops: ['_backward_slice_axis'], shapes: [[2, 5]] });
  });
});

describe('stack', () => {
  it('joins arrays of one shape along a new axis, both ways', () => {
    expect(out(stack({ data: [x('a'), x('b'), x('c')] }), { a: [2, 3] })).toEqual([3, 2, 3]);
    expect(out(stack({ data: [x('a'), x('b')], axis: -1 }), { b: [2, 3] })).toEqual([2, 3, 2]);
    expect(withOut(stack({ data: [x('a'), x('b')], axis: 1 })).inferShape({ y: [4, 2, 5] }).argShapes).toEqual([
      [4, 5],
      [4, 5],
      [4, 2, 5],
    ]);
    expect(stack({ data: [x('a'), x('b')] }).outputs[0]!.node.attrs).toEqual({ num_args: '2' });
  });

  it('names node and op on mismatches', () => {
    const s = stack({ data: [x('a'), x('b')], name: 'st' });
    expect(() => s.inferShape({ a: [2, 3], b: [3, 2] })).toThrow(/stack 'st'.*inconsistent shape/);
    expect(() => withOut(s).inferShape({ y: [3, 2, 3] })).toThrow(/stack 'st': the output's axis 0 must have length num_args=2/);
  });

  it('differentiates through _backward_stack into every input', () => {
    const r = grad(stack({ data: [x('a'), x('b')], axis: 1 }), { a: [2, 3] }, ['a', 'b']);
    expect(r).toEqual({
      ops: ['_backward_stack', '_backward_stack'],
      shapes: [
        [2, 3],
        [2, 3],
      ],
    });
  });
});

describe('take', () => {
  it("puts the indices' axes in place of the taken axis", () => {
    expect(out(take({ a: x('a'), indices: x('i') }), { a: [10, 4], i: [2, 3] })).toEqual([2, 3, 4]);
    expect(out(take({ a: x('a'), indices: x('i'), axis: 1 }), { a: [10, 4, 5], i: [7] })).toEqual([10, 7, 5]);
    expect(out(take({ a: x('a'), indices: x('i'), axis: -1 }), { a: [10, 4], i: [2, 2] })).toEqual([10, 2, 2]);
  });

  it('fills the indices, and a but the taken axis, from the output', () => {
    const t = withOut(take({ a: x('a'), indices: x('i'), axis: 1 }));
    expect(t.inferShapePartial({ a: [3, 9, 5], y: [3, 2, 4, 5] }).argShapes[1]).toEqual([2, 4]);
    expect(t.inferShapePartial({ i: [2, 4], y: [3, 2, 4, 5] }).argShapes[0]).toEqual([3, 0, 5]);
  });

  it('types the output like a and leaves the indices to the caller', () => {
    const t = take({ a: x('a'), indices: x('i'), name: 'tk' });
    expect(t.inferType({ a: 'float64', i: 'int32' }).outTypes).toEqual(['float64']);
    expect(() => t.inferType({ a: 'float64' })).toThrow(/take 'tk': cannot infer the type of input 'indices'/);
  });

  it('names node and op on a bad axis or mode', () => {
    expect(() => take({ a: x('a'), indices: x('i'), axis: 2, name: 'tk' }).inferShape({ a: [3, 4], i: [2] })).toThrow(
      /take 'tk': axis 2 is out of range/,
    );
    expect(() => take({ a: x('a'), indices: x('i'), mode: 'nearest' as never })).toThrow(ValueError);
  });

  it('differentiates through _backward_take into a and the indices', () => {
    const loss = MakeLoss({ data: take({ a: x('a'), indices: x('i') }), name: 'loss' });
    const g = loss.gradient(['a', 'i']);
    expect(g.outputs.map((e) => `${e.node.op!.name}:${e.index}`)).toEqual(['_backward_take:0', '_backward_take:1']);
    expect(g.outputs[0]!.node.inputs.map((e) => e.node.name)).toEqual(['loss_backward', 'i']);
    expect(
      Group([loss, g])
        .inferShape({ a: [10, 4], i: [2, 3] })
        .outShapes.slice(1),
    ).toEqual([
      [10, 4],
      [2, 3],
    ]);
  });
});

describe('pick', () => {
  it('reduces data over the axis; the index is shaped like the output', () => {
    expect(pick({ data: x(), index: x('i') }).inferShape({ x: [2, 3] }).argShapes).toEqual([[2, 3], [2]]);
    expect(pick({ data: x(), index: x('i'), axis: 0, keepdims: true }).inferShape({ x: [2, 3] }).argShapes[1]).toEqual([1, 3]);
    expect(arg(pick({ data: x(), index: x('i'), axis: 1, keepdims: true }), { i: [4, 1, 5] })).toEqual([4, 0, 5]);
    expect(arg(pick({ data: x(), index: x('i'), axis: 1 }), { x: [0, 3, 0], i: [4, 5] })).toEqual([4, 3, 5]);
  });

  it('needs an axis and a known index type', () => {
    expect(() => pick({ data: x(), index: x('i'), axis: null, name: 'p' }).inferShape({ x: [2, 3] })).toThrow(
      /pick 'p': axis=None is not supported/,
    );
    const p = pick({ data: x(), index: x('i'), name: 'p' });
    expect(p.inferType({ x: 'float32', i: 'int32' }).outTypes).toEqual(['float32']);
    expect(() => p.inferType({ x: 'float32' })).toThrow(DTypeError);
    expect(getOp('choose_element_0index')).toBe(getOp('pick'));
  });

  it('differentiates as MXNet: _backward_pick for data, zeros_like for the index', () => {
    const loss = MakeLoss({ data: pick({ data: x(), index: x('i'), name: 'p' }) });
    const g = loss.gradient(['x', 'i']);
    expect(g.outputs.map((e) => `${e.node.op!.name}:${e.node.name}`)).toEqual([
      '_backward_pick:p_backward',
      'zeros_like:p_index_backward',
    ]);
    expect(g.outputs[1]!.node.controlDeps.map((n) => n.name)).toEqual(['p']);
    expect(
      Group([loss, g])
        .inferShape({ x: [2, 3] })
        .outShapes.slice(1),
    ).toEqual([[2, 3], [2]]);
  });
});

describe('one_hot', () => {
  it('appends the depth axis, both ways, in the dtype asked', () => {
    expect(out(one_hot({ indices: x(), depth: 5 }), { x: [2, 3] })).toEqual([2, 3, 5]);
    expect(arg(withOut(one_hot({ indices: x(), depth: 5 })), { y: [4, 5] })).toEqual([4]);
    expect(() => withOut(one_hot({ indices: x(), depth: 5, name: 'oh' })).inferShape({ y: [4, 6] })).toThrow(/one_hot 'oh'/);
    expect(one_hot({ indices: x(), depth: 3 }).inferType({ x: 'int32' }).outTypes).toEqual(['float32']);
    expect(one_hot({ indices: x(), depth: 3, dtype: 'int64' }).inferType({ x: 'float32' }).outTypes).toEqual(['int64']);
  });

  it('has a zero gradient', () => {
    expect(grad(one_hot({ indices: x(), depth: 3 }), { x: [4] })).toEqual({ ops: ['zeros_like'], shapes: [[4]] });
  });
});

describe('where', () => {
  const w = () => where({ condition: x('c'), x: x('a'), y: x('b'), name: 'w' });

  it('shares one shape between x, y and the output; the condition has it or is a row selector', () => {
    expect(w().inferShape({ c: [2, 3], a: [2, 3] }).argShapes).toEqual([
      [2, 3],
      [2, 3],
      [2, 3],
    ]);
    expect(w().inferShape({ c: [2], b: [2, 3] }).outShapes).toEqual([[2, 3]]);
    expect(
      withOut(w())
        .inferShapePartial({ y: [4, 5] })
        .argShapes.slice(0, 3),
    ).toEqual([undefined, [4, 5], [4, 5]]);
    expect(w().inferShapePartial({ c: [0], a: [4, 5] }).argShapes[0]).toEqual([4]);
  });

  it('names node and op on a bad condition', () => {
    expect(() => w().inferShape({ c: [3], a: [2, 3] })).toThrow(/where 'w'.*inconsistent shape for input 'condition'/);
    expect(() => w().inferShape({ c: [2, 3, 1], a: [2, 3] })).toThrow(/where 'w': condition must have the shape of x/);
  });

  it('types x, y and the output alike, the condition freely', () => {
    expect(w().inferType({ c: 'int32', a: 'float16' }).argTypes).toEqual(['int32', 'float16', 'float16']);
    expect(() => w().inferType({ c: 'int32', a: 'float16', b: 'float32' })).toThrow(DTypeError);
  });

  it('differentiates as MXNet: zeros for the condition, _backward_where for x and y', () => {
    const loss = MakeLoss({ data: w() });
    const g = loss.gradient(['c', 'a', 'b']);
    expect(g.outputs.map((e) => `${e.node.name}:${e.index}`)).toEqual(['w_cond_backward:0', 'w_backward:0', 'w_backward:1']);
    expect(
      Group([loss, g])
        .inferShape({ c: [2], a: [2, 3] })
        .outShapes.slice(1),
    ).toEqual([[2], [2, 3], [2, 3]]);
  });
});

describe('ones_like and Cast', () => {
  it('ones_like keeps shape and type and has a zero gradient', () => {
    expect(arg(withOut(ones_like({ data: x() })), { y: [3] })).toEqual([3]);
    expect(() => conflicting((s) => ones_like({ data: s, name: 'o' })).inferShape({ w: [2], y: [3] })).toThrow(
      /ones_like 'o': inconsistent shape/,
    );
    expect(ones_like({ data: x() }).inferType({ x: 'int8' }).outTypes).toEqual(['int8']);
    expect(grad(ones_like({ data: x(), name: 'o' }), { x: [3] })).toEqual({ ops: ['zeros_like'], shapes: [[3]] });
  });

  it('Cast keeps the shape, sets the output type and casts the gradient back', () => {
    const c = Cast({ data: x(), dtype: 'float16', name: 'c' });
    expect(arg(withOut(c), { y: [2, 2] })).toEqual([2, 2]);
    expect(() => conflicting((s) => Cast({ data: s, dtype: 'int8', name: 'c' })).inferShape({ w: [2], y: [3] })).toThrow(
      /Cast 'c': inconsistent shape/,
    );
    expect(c.inferType({ x: 'int32' }).outTypes).toEqual(['float16']);
    expect(() => c.inferType({})).toThrow(/Cast 'c': cannot infer the type of input 'data'/);
    expect(cast({ data: x(), dtype: 'bool' }).inferType({ x: 'float32' }).outTypes).toEqual(['bool']);
    const loss = MakeLoss({ data: c });
    const g = loss.gradient(['x']);
    expect(g.outputs[0]!.node.op!.name).toBe('_backward_cast');
    expect(Group([loss, g]).inferType({ x: 'int32' }).outTypes).toEqual(['float16', 'int32']);
    expect(() => Cast({ data: x(), dtype: 'complex64' as never })).toThrow(ValueError);
  });

  it('Cast takes bfloat16 (type code 12) as MXNet 1.9 does, both ways', () => {
    const c = Cast({ data: x(), dtype: 'bfloat16', name: 'c' });
    expect(arg(withOut(c), { y: [3, 2] })).toEqual([3, 2]);
    expect(c.inferType({ x: 'float32' }).outTypes).toEqual(['bfloat16']);
    expect(Cast({ data: c, dtype: 'float64' }).inferType({ x: 'float32' }).outTypes).toEqual(['float64']);
    const loss = MakeLoss({ data: c });
    expect(Group([loss, loss.gradient(['x'])]).inferType({ x: 'float64' }).outTypes).toEqual(['bfloat16', 'float64']);
    expect(JSON.parse(c.toJSON()).nodes[1].attrs).toEqual({ dtype: 'bfloat16' });
    expect(() => Cast({ data: x(), dtype: 'bf16' as never })).toThrow(/dtype/);
  });
});

describe('shape ops and types', () => {
  it('keep the data type, both ways', () => {
    const ops: [string, (s: Symbol) => Symbol][] = [
      ['Flatten', (s) => Flatten({ data: s })],
      ['expand_dims', (s) => expand_dims({ data: s, axis: 0 })],
      ['squeeze', (s) => squeeze({ data: s })],
      ['transpose', (s) => transpose({ data: s })],
      ['SwapAxis', (s) => SwapAxis({ data: s, dim1: 0, dim2: 1 })],
      ['slice_axis', (s) => slice_axis({ data: s, axis: 0, begin: 0, end: 1 })],
      ['stack', (s) => stack({ data: [s, s] })],
    ];
    for (const [op, f] of ops) {
      expect(f(x()).inferType({ x: 'float16' }).outTypes, op).toEqual(['float16']);
      expect(withOut(f(x())).inferType({ y: 'int32' }).argTypes[0], op).toBe('int32');
      expect(() => withOut(f(x())).inferType({ x: 'int32', y: 'float32' }), op).toThrow(DTypeError);
    }
  });
});

describe('shape ops in symbol JSON', () => {
  it('round-trip with MXNet attribute strings', () => {
    const sym = withNameManager(new NameManager(), () =>
      Group([
        Flatten({ data: x() }),
        expand_dims({ data: x(), axis: -1 }),
        squeeze({ data: x(), axis: [0, 2] }),
        transpose({ data: x(), axes: [1, 0] }),
        SwapAxis({ data: x(), dim1: 1, dim2: 0 }),
        slice_axis({ data: x(), axis: 0, begin: -2, end: null }),
        stack({ data: [x(), x('b')], axis: 1 }),
        take({ a: x(), indices: x('i'), axis: 0, mode: 'wrap' }),
        pick({ data: x(), index: x('i'), axis: 1, keepdims: true, mode: 'wrap' }),
        one_hot({ indices: x('i'), depth: 4, onValue: 2.5, offValue: -1, dtype: 'int32' }),
        where({ condition: x('i'), x: x(), y: x('b') }),
        ones_like({ data: x() }),
        Cast({ data: x(), dtype: 'float64' }),
      ]),
    );
    const text = roundTrip(sym);
    expect(nodeNamed(sym, 'squeeze0').attrs).toEqual({ axis: '(0, 2)' });
    expect(nodeNamed(sym, 'transpose0').attrs).toEqual({ axes: '(1, 0)' });
    expect(nodeNamed(sym, 'one_hot0').attrs).toEqual({ depth: '4', on_value: '2.5', off_value: '-1', dtype: 'int32' });
    expect(nodeNamed(sym, 'pick0').attrs).toEqual({ axis: '1', keepdims: 'True', mode: 'wrap' });
    for (const op of [
      'Flatten',
      'expand_dims',
      'squeeze',
      'transpose',
      'SwapAxis',
      'slice_axis',
      'stack',
      'take',
      'pick',
      'one_hot',
      'where',
      'ones_like',
      'Cast',
    ]) {
      expect(text, op).toContain(`"op": "${op}"`);
    }
    const loss = MakeLoss({ data: transpose({ data: where({ condition: x('i'), x: x(), y: x('b') }), axes: [1, 0] }) });
    roundTrip(Group([loss, loss.gradient(['x', 'b'])]));
  });
});
