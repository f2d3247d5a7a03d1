// Unary math, clip, `_*_scalar`, `elemwise_*` and `broadcast_*` operators.
import { DTypeError, ShapeError, ValueError } from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';
import {
  Group,
  MakeLoss,
  NameManager,
  Variable,
  _div_scalar,
  _equal_scalar,
  _greater_equal_scalar,
  _greater_scalar,
  _lesser_equal_scalar,
  _lesser_scalar,
  _maximum,
  _maximum_scalar,
  _minimum,
  _minimum_scalar,
  _minus,
  _minus_scalar,
  _mul,
  _mul_scalar,
  _not_equal_scalar,
  _plus_scalar,
  _power,
  _power_scalar,
  _rdiv_scalar,
  _rminus_scalar,
  _rpower_scalar,
  abs,
  broadcast_add,
  broadcast_div,
  broadcast_equal,
  broadcast_greater,
  broadcast_greater_equal,
  broadcast_lesser,
  broadcast_lesser_equal,
  broadcast_maximum,
  broadcast_minimum,
  broadcast_minus,
  broadcast_mul,
  broadcast_not_equal,
  broadcast_plus,
  broadcast_power,
  broadcast_sub,
  clip,
  elemwise_div,
  elemwise_mul,
  elemwise_sub,
  erf,
  exp,
  getOp,
  log,
  negative,
  reciprocal,
  relu,
  rsqrt,
  sigmoid,
  sign,
  softsign,
  sqrt,
  square,
  tanh,
  withAttrScope,
  withNameManager,
  type Symbol,
} from '../src/index.js';
import { conflicting, nodeNamed, roundTrip, withOut } from './fixtures.js';

type Unary = (s: Symbol, name: string) => Symbol;

/** Each unary op, the op of its gradient node and what that node reads besides the output gradient. */
const UNARY: [string, Unary, string, 'none' | 'in' | 'out'][] = [
  ['exp', (s, name) => exp({ data: s, name }), '_mul', 'out'],
  ['log', (s, name) => log({ data: s, name }), '_backward_log', 'in'],
  ['sqrt', (s, name) => sqrt({ data: s, name }), '_backward_sqrt', 'out'],
  ['rsqrt', (s, name) => rsqrt({ data: s, name }), '_backward_rsqrt', 'in'],
  ['square', (s, name) => square({ data: s, name }), '_backward_square', 'in'],
  ['abs', (s, name) => abs({ data: s, name }), '_backward_abs', 'in'],
  ['sign', (s, name) => sign({ data: s, name }), '_backward_sign', 'in'],
  ['tanh', (s, name) => tanh({ data: s, name }), '_backward_tanh', 'out'],
  ['sigmoid', (s, name) => sigmoid({ data: s, name }), '_backward_sigmoid', 'out'],
  ['relu', (s, name) => relu({ data: s, name }), '_backward_relu', 'out'],
  ['softsign', (s, name) => softsign({ data: s, name }), '_backward_softsign', 'in'],
  ['negative', (s, name) => negative({ data: s, name }), 'negative', 'none'],
  ['reciprocal', (s, name) => reciprocal({ data: s, name }), '_backward_reciprocal', 'in'],
  ['clip', (s, name) => clip({ data: s, name, aMin: -1, aMax: 2.5 }), '_backward_clip', 'in'],
  ['erf', (s, name) => erf({ data: s, name }), '_backward_erf', 'in'],
];

/** Each `_*_scalar` op and its gradient node op ('zero' for comparisons). */
const SCALAR: [string, Unary, string, 'none' | 'in' | 'out'][] = [
  ['_plus_scalar', (s, name) => _plus_scalar({ data: s, name, scalar: 2 }), '_copy', 'none'],
  ['_minus_scalar', (s, name) => _minus_scalar({ data: s, name, scalar: 2 }), '_copy', 'none'],
  ['_rminus_scalar', (s, name) => _rminus_scalar({ data: s, name, scalar: 2 }), 'negative', 'none'],
  ['_mul_scalar', (s, name) => _mul_scalar({ data: s, name, scalar: 2 }), '_backward_mul_scalar', 'none'],
  ['_div_scalar', (s, name) => _div_scalar({ data: s, name, scalar: 2 }), '_div_scalar', 'none'],
  ['_rdiv_scalar', (s, name) => _rdiv_scalar({ data: s, name, scalar: 2 }), '_backward_rdiv_scalar', 'in'],
  ['_power_scalar', (s, name) => _power_scalar({ data: s, name, scalar: 2 }), '_backward_power_scalar', 'in'],
  ['_rpower_scalar', (s, name) => _rpower_scalar({ data: s, name, scalar: 2 }), '_backward_rpower_scalar', 'out'],
  ['_maximum_scalar', (s, name) => _maximum_scalar({ data: s, name, scalar: 0.5 }), '_backward_maximum_scalar', 'in'],
  ['_minimum_scalar', (s, name) => _minimum_scalar({ data: s, name, scalar: 0.5 }), '_backward_minimum_scalar', 'in'],
];

const COMPARE_SCALAR: [string, Unary][] = [
  ['_equal_scalar', (s, name) => _equal_scalar({ data: s, name, scalar: 1 })],
  ['_not_equal_scalar', (s, name) => _not_equal_scalar({ data: s, name, scalar: 1 })],
  ['_greater_scalar', (s, name) => _greater_scalar({ data: s, name, scalar: 1 })],
  ['_greater_equal_scalar', (s, name) => _greater_equal_scalar({ data: s, name, scalar: 1 })],
  ['_lesser_scalar', (s, name) => _lesser_scalar({ data: s, name, scalar: 1 })],
  ['_lesser_equal_scalar', (s, name) => _lesser_equal_scalar({ data: s, name, scalar: 1 })],
];

type Binary = (l: Symbol, r: Symbol, name: string) => Symbol;

/** Each two-input op with its gradient op and whether that op reads the inputs. */
const ELEMWISE: [string, Binary, string, boolean][] = [
  ['elemwise_sub', (l, r, name) => elemwise_sub({ lhs: l, rhs: r, name }), '_backward_sub', false],
  ['elemwise_mul', (l, r, name) => elemwise_mul({ lhs: l, rhs: r, name }), '_backward_mul', true],
  ['elemwise_div', (l, r, name) => elemwise_div({ lhs: l, rhs: r, name }), '_backward_div', true],
  ['_power', (l, r, name) => _power({ lhs: l, rhs: r, name }), '_backward_power', true],
  ['_maximum', (l, r, name) => _maximum({ lhs: l, rhs: r, name }), '_backward_maximum', true],
  ['_minimum', (l, r, name) => _minimum({ lhs: l, rhs: r, name }), '_backward_minimum', true],
];

const BROADCAST: [string, Binary, string, boolean][] = [
  ['broadcast_add', (l, r, name) => broadcast_add({ lhs: l, rhs: r, name }), '_backward_broadcast_add', false],
  ['broadcast_sub', (l, r, name) => broadcast_sub({ lhs: l, rhs: r, name }), '_backward_broadcast_sub', false],
  ['broadcast_mul', (l, r, name) => broadcast_mul({ lhs: l, rhs: r, name }), '_backward_broadcast_mul', true],
  ['broadcast_div', (l, r, name) => broadcast_div({ lhs: l, rhs: r, name }), '_backward_broadcast_div', true],
  ['broadcast_power', (l, r, name) => broadcast_power({ lhs: l, rhs: r, name }), '_backward_broadcast_power', true],
  ['broadcast_maximum', (l, r, name) => broadcast_maximum({ lhs: l, rhs: r, name }), '_backward_broadcast_maximum', true],
  ['broadcast_minimum', (l, r, name) => broadcast_minimum({ lhs: l, rhs: r, name }), '_backward_broadcast_minimum', true],
];

const BROADCAST_COMPARE: [string, Binary][] = [
  ['broadcast_equal', (l, r, name) => broadcast_equal({ lhs: l, rhs: r, name })],
  ['broadcast_not_equal', (l, r, name) => broadcast_not_equal({ lhs: l, rhs: r, name })],
  ['broadcast_greater', (l, r, name) => broadcast_greater({ lhs: l, rhs: r, name })],
  ['broadcast_greater_equal', (l, r, name) => broadcast_greater_equal({ lhs: l, rhs: r, name })],
  ['broadcast_lesser', (l, r, name) => broadcast_lesser({ lhs: l, rhs: r, name })],
  ['broadcast_lesser_equal', (l, r, name) => broadcast_lesser_equal({ lhs: l, rhs: r, name })],
];

const x = (name = 'x'): Symbol => Variable(name);
const ALL_UNARY = [...UNARY, ...SCALAR, ...COMPARE_SCALAR.map(([n, f]) => [n, f, 'zero', 'none'] as const)];

describe('unary and scalar ops', () => {
  it('keep the shape, both ways', () => {
    for (const [op, f] of ALL_UNARY) {
      expect(f(x(), 'u').inferShape({ x: [4, 5] }).outShapes, op).toEqual([[4, 5]]);
      expect(withOut(f(x(), 'u')).inferShape({ y: [4, 5] }).argShapes[0], op).toEqual([4, 5]);
    }
  });

  it('keep the type, both ways, and name node and op on a conflict', () => {
    for (const [op, f] of ALL_UNARY) {
      expect(f(x(), 'u').inferType({ x: 'float64' }).outTypes, op).toEqual(['float64']);
      expect(withOut(f(x(), 'u')).inferType({ y: 'float16' }).argTypes[0], op).toEqual('float16');
      const run = () => conflicting((s) => f(s, 'u')).inferShape({ y: [3, 2], w: [2, 3] });
      expect(run, op).toThrow(ShapeError);
      expect(run, op).toThrow(new RegExp(`${op} 'u': inconsistent shape`));
    }
    expect(() => withOut(exp({ data: x(), name: 'e' })).inferType({ x: 'float32', y: 'float64' })).toThrow(DTypeError);
  });

  it('build MXNet gradient nodes from the output gradient and the input or output', () => {
    for (const [op, f, gradOp, use] of [...UNARY, ...SCALAR]) {
      const g = MakeLoss({ data: f(x(), 'u'), name: 'loss' }).gradient(['x']);
      const bwd = g.outputs[0]!.node;
      expect(bwd.op, op).toBe(getOp(gradOp));
      expect(bwd.name, op).toBe('u_backward');
      const reads = bwd.inputs.slice(1).map((e) => e.node.outputName(e.index));
      expect(reads, op).toEqual(use === 'in' ? ['x'] : use === 'out' ? ['u_output'] : []);
      expect(bwd.inputs[0]!.node.name, op).toBe('loss_backward');
      expect(
        bwd.controlDeps.map((n) => n.name),
        op,
      ).toEqual(['u']);
      const shapes = Group([MakeLoss({ data: f(x(), 'u') }), g]).inferShape({ x: [3, 2] });
      expect(shapes.outShapes[1], op).toEqual([3, 2]);
    }
  });

  it('give gradient ops without parameters only the hidden keys of scalar nodes', () => {
    withAttrScope({ ctx_group: 'dev1' }, () => {
      const g = MakeLoss({ data: _plus_scalar({ data: x(), name: 'p', scalar: 3 }) }).gradient(['x']);
      expect(g.outputs[0]!.node.attrs).toEqual({ __ctx_group__: 'dev1' });
      const d = MakeLoss({ data: _div_scalar({ data: x(), name: 'd', scalar: 4 }) }).gradient(['x']);
      expect(d.outputs[0]!.node.attrs).toEqual({ __ctx_group__: 'dev1', scalar: '4' });
    });
  });

  it('give comparisons zero gradients (zeros_like of the input)', () => {
    for (const [op, f] of COMPARE_SCALAR) {
      const g = MakeLoss({ data: f(x(), 'c') }).gradient(['x']);
      const z = g.outputs[0]!.node;
      expect([z.op!.name, z.name, z.inputs[0]!.node.name], op).toEqual(['zeros_like', 'c_backward', 'x']);
      expect(z.attrs, op).toEqual({});
      expect(getOp(op).kernels, op).toEqual({ forward: op.slice(1) });
    }
  });

  it('declare MXNet in-place options, clip excepted', () => {
    for (const [op] of ALL_UNARY) {
      const def = getOp(op);
      expect(def.inplace?.({}), op).toEqual(op === 'clip' ? undefined : [[0, 0]]);
    }
    expect(getOp('_backward_relu').inplace?.({})).toEqual([
      [0, 0],
      [1, 0],
    ]);
    expect(getOp('_backward_mul_scalar').inplace?.({})).toEqual([[0, 0]]);
    expect(getOp('_backward_clip').inplace).toBeUndefined();
    for (const op of ['identity', 'BlockGrad', 'Reshape', '_backward_copy', '_backward_reshape', 'Cast', '_backward_cast']) {
      expect(getOp(op).inplace?.({}), op).toEqual([[0, 0]]);
    }
  });

  it('require their parameters', () => {
    expect(() => clip({ data: x(), aMin: 0 })).toThrow(/required parameter 'a_max' is missing/);
    expect(() => _plus_scalar({ data: x() })).toThrow(ValueError);
  });
});

describe('elemwise binary ops', () => {
  it('unify the shapes and types of lhs, rhs and output', () => {
    for (const [op, f] of ELEMWISE) {
      expect(f(x('a'), x('b'), 'o').inferShape({ a: [2, 3] }).argShapes, op).toEqual([
        [2, 3],
        [2, 3],
      ]);
      expect(withOut(f(x('a'), x('b'), 'o')).inferShape({ y: [4] }).argShapes, op).toEqual([[4], [4], [4]]);
      expect(f(x('a'), x('b'), 'o').inferType({ b: 'float64' }).argTypes, op).toEqual(['float64', 'float64']);
      expect(() => f(x('a'), x('b'), 'o').inferShape({ a: [2, 3], b: [3] }), op).toThrow(
        new RegExp(`${op} 'o'.*inconsistent shape`),
      );
    }
  });

  it('differentiate through a two-output backward op', () => {
    for (const [op, f, gradOp, readsInputs] of ELEMWISE) {
      const loss = MakeLoss({ data: f(x('a'), x('b'), 'o') });
      const g = loss.gradient(['a', 'b']);
      const [ga, gb] = g.outputs;
      expect(ga!.node, op).toBe(gb!.node);
      expect([ga!.node.op!.name, ga!.index, gb!.index], op).toEqual([gradOp, 0, 1]);
      expect(
        ga!.node.inputs.slice(1).map((e) => e.node.name),
        op,
      ).toEqual(readsInputs ? ['a', 'b'] : []);
      expect(getOp(gradOp).inplace?.({}), op).toEqual(
        readsInputs
          ? [[0, 1]]
          : [
              [0, 0],
              [0, 1],
            ],
      );
      expect(
        Group([loss, g])
          .inferShape({ a: [2, 5] })
          .outShapes.slice(1),
        op,
      ).toEqual([
        [2, 5],
        [2, 5],
      ]);
    }
  });

  it('register the names MXNet Symbol operators use', () => {
    expect(getOp('_Minus').name).toBe('elemwise_sub');
    expect(getOp('_Mul')).toBe(getOp('_mul'));
    expect(getOp('_Div').name).toBe('elemwise_div');
    expect(getOp('_Power').name).toBe('_power');
    expect(_minus({ lhs: x('a'), rhs: x('b') }).outputs[0]!.node.op!.name).toBe('elemwise_sub');
    expect(_mul({ lhs: x('a'), rhs: x('b') }).outputs[0]!.node.op!.name).toBe('elemwise_mul');
    expect(getOp('elemwise_add').inplace?.({})).toEqual([
      [0, 0],
      [1, 0],
    ]);
  });
});

describe('broadcast ops', () => {
  const b = (l: number[] | undefined, r: number[] | undefined, out?: number[]) => {
    const s = withOut(broadcast_add({ lhs: x('l'), rhs: x('r'), name: 'bc' }));
    const known: Record<string, number[]> = {};
    if (l) known.l = l;
    if (r) known.r = r;
    if (out) known.y = out;
    return s.inferShapePartial(known);
  };

  it('broadcast as NumPy does', () => {
    expect(b([2, 1, 3], [4, 1]).argShapes[2]).toEqual([2, 4, 3]);
    expect(b([5, 4], [4]).argShapes[2]).toEqual([5, 4]);
    expect(b([1], [3, 2]).argShapes[2]).toEqual([3, 2]);
    expect(b([2, 3], [2, 3]).argShapes[2]).toEqual([2, 3]);
  });

  it('keep what an unknown dimension allows', () => {
    // l's first axis is unknown: r's 5 decides it; r's 1 leaves it unknown.
    expect(b([0, 3], [5, 1]).argShapes[2]).toEqual([5, 3]);
    expect(b([0, 3], [1, 3]).argShapes[2]).toEqual([0, 3]);
  });

  it('fill an input from the output where the other input has length 1', () => {
    const r = b([0, 3], [1, 3], [7, 3]);
    expect(r.argShapes[0]).toEqual([7, 3]);
    // Where the other input is longer than 1 the input may be 1 or that length: left unknown.
    expect(b([0, 3], [7, 3], [7, 3]).argShapes[0]).toEqual([0, 3]);
    // A missing leading axis of the other input counts as 1.
    expect(b([0, 0], [3], [4, 3]).argShapes[0]).toEqual([4, 0]);
  });

  it('name node and op when shapes cannot broadcast', () => {
    const s = broadcast_mul({ lhs: x('l'), rhs: x('r'), name: 'bm' });
    const run = () => s.inferShape({ l: [2, 3], r: [4, 3] });
    expect(run).toThrow(ShapeError);
    expect(run).toThrow(/broadcast_mul 'bm': operands could not be broadcast together with shapes \(2, 3\) \(4, 3\)/);
  });

  it('unify the types of lhs, rhs and output', () => {
    for (const [op, f] of [...BROADCAST, ...BROADCAST_COMPARE]) {
      expect(f(x('l'), x('r'), 'o').inferType({ l: 'float16' }).argTypes, op).toEqual(['float16', 'float16']);
      expect(() => f(x('l'), x('r'), 'o').inferType({ l: 'float16', r: 'float32' }), op).toThrow(DTypeError);
    }
  });

  it('differentiate into gradients shaped like each input (the broadcast axes summed back)', () => {
    for (const [op, f, gradOp, readsInputs] of BROADCAST) {
      const loss = MakeLoss({ data: f(x('l'), x('r'), 'o') });
      const g = loss.gradient(['l', 'r']);
      const bwd = g.outputs[0]!.node;
      expect(bwd.op!.name, op).toBe(gradOp);
      expect(bwd.inputs.length, op).toBe(readsInputs ? 3 : 1);
      const shapes = Group([loss, g]).inferShape({ l: [2, 1, 3], r: [4, 1] });
      expect(shapes.outShapes, op).toEqual([
        [2, 4, 3],
        [2, 1, 3],
        [4, 1],
      ]);
    }
  });

  it('give comparisons a zeros_like per input', () => {
    for (const [op, f] of BROADCAST_COMPARE) {
      const g = MakeLoss({ data: f(x('l'), x('r'), 'c') }).gradient(['l', 'r']);
      expect(
        g.outputs.map((e) => `${e.node.op!.name}:${e.node.name}:${e.node.inputs[0]!.node.name}`),
        op,
      ).toEqual(['zeros_like:c_in0_backward:l', 'zeros_like:c_in1_backward:r']);
    }
  });

  it('register broadcast_plus and broadcast_minus as aliases', () => {
    expect(broadcast_plus({ lhs: x('l'), rhs: x('r') }).outputs[0]!.node.op!.name).toBe('broadcast_add');
    expect(broadcast_minus({ lhs: x('l'), rhs: x('r') }).outputs[0]!.node.op!.name).toBe('broadcast_sub');
  });
});

describe('element-wise ops in symbol JSON', () => {
  it('round-trip with MXNet attribute strings', () => {
    const sym = withNameManager(new NameManager(), () => {
      const a = x('a');
      const outs = [
        ...ALL_UNARY.map(([, f], i) => f(a, `u${i}`)),
        ...[...ELEMWISE, ...BROADCAST, ...BROADCAST_COMPARE].map(([, f], i) => f(a, x('b'), `b${i}`)),
      ];
      return Group(outs);
    });
    const text = roundTrip(sym);
    const ops = new Set(JSON.parse(text).nodes.map((n: { op: string }) => n.op));
    for (const [op] of [...ALL_UNARY, ...ELEMWISE, ...BROADCAST, ...BROADCAST_COMPARE]) expect(ops, op).toContain(op);
    expect(nodeNamed(sym, 'u13').attrs).toEqual({ a_min: '-1', a_max: '2.5' });
    expect(text).toContain('"attrs": {"scalar": "0.5"}');
  });

  it('round-trip gradient graphs of element-wise ops', () => {
    const loss = MakeLoss({
      data: broadcast_mul({ lhs: exp({ data: x('a') }), rhs: _rdiv_scalar({ data: x('b'), scalar: 1 }) }),
    });
    roundTrip(Group([loss, loss.gradient(['a', 'b'])]));
  });
});
