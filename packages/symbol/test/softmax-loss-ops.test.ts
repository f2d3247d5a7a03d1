// Softmax, log_softmax, SoftmaxActivation and the regression loss layers.
import { DTypeError, ShapeError } from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';
import {
  Group,
  LinearRegressionOutput,
  LogisticRegressionOutput,
  MAERegressionOutput,
  MakeLoss,
  NameManager,
  SoftmaxActivation,
  Variable,
  buildGradient,
  getOp,
  log_softmax,
  softmax,
  withNameManager,
  type Symbol,
} from '../src/index.js';
import type { SoftmaxParams } from '../src/ops/softmax.js';
import { nodeNamed, roundTrip, withOut } from './fixtures.js';

const x = (name = 'x'): Symbol => Variable(name);
type Softmax = (args: { data: Symbol; length?: Symbol; name?: string } & Partial<SoftmaxParams>) => Symbol;
const SOFTMAX: [string, Softmax, string][] = [
  ['softmax', softmax, '_backward_softmax'],
  ['log_softmax', log_softmax, '_backward_log_softmax'],
];

describe('softmax and log_softmax', () => {
  it('keep the shape both ways; with use_length the length drops the axis', () => {
    for (const [op, f] of SOFTMAX) {
      expect(f({ data: x() }).inferShape({ x: [2, 3] }).outShapes, op).toEqual([[2, 3]]);
      expect(withOut(f({ data: x() })).inferShape({ y: [2, 3] }).argShapes[0], op).toEqual([2, 3]);
      const masked = f({ data: x(), length: x('len'), axis: -2, useLength: true, name: 's' });
      expect(masked.listArguments(), op).toEqual(['x', 'len']);
      expect(masked.inferShape({ x: [2, 7, 4] }).argShapes, op).toEqual([
        [2, 7, 4],
        [2, 4],
      ]);
      expect(f({ data: x(), length: x('len'), useLength: true }).inferShape({ x: [7] }).argShapes[1], op).toEqual([1]);
      expect(() => masked.inferShape({ x: [2, 7, 4], len: [2, 7] }), op).toThrow(
        new RegExp(`${op} 's'.*inconsistent shape for input 'length'`),
      );
      expect(() => f({ data: x(), axis: 2, name: 's' }).inferShape({ x: [2, 3] }), op).toThrow(ShapeError);
    }
  });

  it('type the output by dtype, else like the data', () => {
    for (const [op, f] of SOFTMAX) {
      expect(f({ data: x() }).inferType({ x: 'float16' }).outTypes, op).toEqual(['float16']);
      expect(f({ data: x(), dtype: 'float64' }).inferType({ x: 'float16' }).outTypes, op).toEqual(['float64']);
      // Without a data type, the dtype stands in for it (MXNet's type_assign).
      expect(f({ data: x(), dtype: 'float64' }).inferType({}).argTypes, op).toEqual(['float64']);
      expect(() => withOut(f({ data: x() })).inferType({ x: 'float16', y: 'float32' }), op).toThrow(DTypeError);
    }
  });

  it('differentiate from the output, and also from the inputs when dtype or use_length is set', () => {
    for (const [op, f, gradOp] of SOFTMAX) {
      const reads = (s: Symbol, wrt: string[], known: Record<string, number[]>) => {
        const loss = MakeLoss({ data: s, name: 'loss' });
        const g = loss.gradient(wrt);
        const bwd = g.outputs[0]!.node;
        expect(bwd.op!.name, op).toBe(gradOp);
        expect(Group([loss, g]).inferShape(known).outShapes.slice(1), op).toEqual(
          wrt.map((n) => loss.inferShape(known).argShapes[loss.listArguments().indexOf(n)]),
        );
        return bwd.inputs.map((e) => e.node.outputName(e.index));
      };
      expect(reads(f({ data: x(), name: 's' }), ['x'], { x: [2, 3] }), op).toEqual(['loss_backward_output', 's_output']);
      expect(reads(f({ data: x(), name: 's', dtype: 'float32' }), ['x'], { x: [2, 3] }), op).toEqual([
        'loss_backward_output',
        'x',
        's_output',
      ]);
      const masked = f({ data: x(), length: x('len'), name: 's', useLength: true });
      expect(reads(masked, ['x', 'len'], { x: [2, 3] }), op).toEqual(['loss_backward_output', 'x', 'len', 's_output']);
    }
  });

  it('write temperature and use_length as Python does', () => {
    const s = softmax({ data: x(), temperature: 0.5, useLength: false, axis: 0 });
    expect(s.outputs[0]!.node.attrs).toEqual({ temperature: '0.5', use_length: 'False', axis: '0' });
    expect(getOp('softmax').attrs.parse({ use_length: 'None' }, 'softmax').useLength).toBeNull();
  });
});

describe('SoftmaxActivation', () => {
  it('keeps the shape; channel mode needs 3 or more dimensions', () => {
    expect(withOut(SoftmaxActivation({ data: x() })).inferShape({ y: [2, 3] }).argShapes[0]).toEqual([2, 3]);
    expect(SoftmaxActivation({ data: x(), mode: 'channel' }).inferShape({ x: [2, 3, 4] }).outShapes).toEqual([[2, 3, 4]]);
    expect(() => SoftmaxActivation({ data: x(), mode: 'channel', name: 'sa' }).inferShape({ x: [2, 3] })).toThrow(
      /SoftmaxActivation 'sa': mode channel needs data of 3 or more dimensions/,
    );
    expect(SoftmaxActivation({ data: x() }).inferType({ x: 'float64' }).outTypes).toEqual(['float64']);
  });

  it('differentiates from the output gradient and the output', () => {
    const loss = MakeLoss({ data: SoftmaxActivation({ data: x(), name: 'sa' }), name: 'loss' });
    const g = loss.gradient(['x']);
    const bwd = g.outputs[0]!.node;
    expect([bwd.op!.name, ...bwd.inputs.map((e) => e.node.outputName(e.index))]).toEqual([
      '_backward_SoftmaxActivation',
      'loss_backward_output',
      'sa_output',
    ]);
    expect(Group([loss, g]).inferShape({ x: [4, 5] }).outShapes[1]).toEqual([4, 5]);
  });
});

describe('regression outputs', () => {
  const REGRESSION: [string, (a: { data: Symbol; name?: string; gradScale?: number }) => Symbol, string][] = [
    ['LinearRegressionOutput', LinearRegressionOutput, '_backward_linear_reg_out'],
    ['LogisticRegressionOutput', LogisticRegressionOutput, '_backward_logistic_reg_out'],
    ['MAERegressionOutput', MAERegressionOutput, '_backward_mae_reg_out'],
  ];

  it('take a label shaped like the data, or (N,) for (N, 1) data', () => {
    for (const [op, f] of REGRESSION) {
      const r = f({ data: x(), name: 'r' });
      expect(r.listArguments(), op).toEqual(['x', 'r_label']);
      expect(r.inferShape({ x: [8, 3] }).argShapes, op).toEqual([
        [8, 3],
        [8, 3],
      ]);
      expect(r.inferShape({ x: [8, 1] }).argShapes[1], op).toEqual([8]);
      expect(r.inferShape({ x: [8, 3], r_label: [8, 3, 1] }).argShapes[1], op).toEqual([8, 3, 1]);
      expect(withOut(r).inferShape({ y: [5, 2] }).argShapes[0], op).toEqual([5, 2]);
      const run = () => r.inferShape({ x: [8, 3], r_label: [4, 6] });
      expect(run, op).toThrow(ShapeError);
      expect(run, op).toThrow(new RegExp(`${op} 'r': label \\(4, 6\\) does not fit data \\(8, 3\\)`));
      expect(r.inferType({ x: 'float64' }).argTypes, op).toEqual(['float64', 'float64']);
    }
  });

  it('seed the backward pass from label and output, with no head gradient', () => {
    for (const [op, f, gradOp] of REGRESSION) {
      const r = f({ data: x(), name: 'r', gradScale: 0.5 });
      const gg = buildGradient(r, ['x']);
      expect(gg.headGrads, op).toEqual([]);
      const bwd = gg.symbol.outputs[0]!.node;
      expect([bwd.op!.name, ...bwd.inputs.map((e) => e.node.outputName(e.index))], op).toEqual([gradOp, 'r_label', 'r_output']);
      expect(bwd.attrs, op).toEqual({ grad_scale: '0.5' });
      expect(getOp(gradOp).inplace?.({}), op).toEqual([[1, 0]]);
      expect(Group([r, gg.symbol]).inferShape({ x: [8, 1] }).outShapes, op).toEqual([
        [8, 1],
        [8, 1],
      ]);
    }
  });
});

describe('softmax and loss ops in symbol JSON', () => {
  it('round-trip, gradient graphs included', () => {
    const d = x();
    const sym = withNameManager(new NameManager(), () =>
      Group([
        softmax({ data: d, axis: 1, temperature: 2, dtype: 'float64' }),
        log_softmax({ data: d, length: x('len'), useLength: true }),
        SoftmaxActivation({ data: d, mode: 'channel' }),
        LinearRegressionOutput({ data: d, gradScale: 2 }),
        LogisticRegressionOutput({ data: d }),
        MAERegressionOutput({ data: d, gradScale: 1e-3 }),
      ]),
    );
    const text = roundTrip(sym);
    expect(nodeNamed(sym, 'softmax0').attrs).toEqual({ axis: '1', temperature: '2', dtype: 'float64' });
    expect(nodeNamed(sym, 'maeregressionoutput0').attrs).toEqual({ grad_scale: '0.001' });
    for (const op of [
      'softmax',
      'log_softmax',
      'SoftmaxActivation',
      'LinearRegressionOutput',
      'LogisticRegressionOutput',
      'MAERegressionOutput',
    ]) {
      expect(text, op).toContain(`"op": "${op}"`);
    }
    roundTrip(Group([sym, sym.gradient(['x', 'len'])]));
  });
});
