import { describe, expect, it } from 'vitest';
import { SequenceLast, SequenceMask, SequenceReverse, Symbol, Variable, findOp } from '../src/index.js';
import { expectInferError, gradientShapes, roundTrip, withOut } from './helpers-2b.js';

const x = (name = 'x'): Symbol => Variable(name);

describe('SequenceMask', () => {
  it('keeps the shape and takes lengths of the batch axis', () => {
    const s = SequenceMask({ data: x(), useSequenceLength: true, name: 'm' });
    expect(s.listArguments()).toEqual(['x', 'm_sequence_length']);
    expect(s.inferShape({ x: [5, 3, 2] }).argShapes).toEqual([[5, 3, 2], [3]]);
    const batchFirst = SequenceMask({ data: x(), useSequenceLength: true, axis: 1, name: 'm' });
    expect(batchFirst.inferShape({ x: [5, 3, 2] }).argShapes[1]).toEqual([5]);
    expect(SequenceMask({ data: x() }).listArguments()).toEqual(['x']);
  });

  it('infers data from the output, and its batch axis from the lengths', () => {
    const s = SequenceMask({ data: x(), useSequenceLength: true, name: 'm' });
    expect(withOut(s).inferShape({ y: [4, 2] }).argShapes).toEqual([[4, 2], [2], [4, 2]]);
    expect(s.inferShapePartial({ x: [4, 0, 6], m_sequence_length: [7] }).argShapes[0]).toEqual([4, 7, 6]);
  });

  it('lets sequence_length have its own (index) type', () => {
    const s = SequenceMask({ data: x(), useSequenceLength: true, name: 'm' });
    expect(s.inferType({ x: 'float32' }).argTypes).toEqual(['float32', 'float32']);
    expect(s.inferType({ x: 'float64', m_sequence_length: 'int32' }).argTypes).toEqual(['float64', 'int32']);
  });

  it('names node and op on a bad axis, rank or length vector', () => {
    const s = SequenceMask({ data: x(), useSequenceLength: true, axis: 2, name: 'm' });
    expectInferError(() => s.inferShape({ x: [2, 3, 4] }), 'SequenceMask', 'm', /axis must be 0 or 1, got 2/);
    const m = SequenceMask({ data: x(), useSequenceLength: true, name: 'm' });
    expectInferError(() => m.inferShape({ x: [4] }), 'SequenceMask', 'm', /data must have at least two dimensions/);
    expectInferError(() => m.inferShape({ x: [4, 3], m_sequence_length: [4] }), 'SequenceMask', 'm', /inconsistent shape/);
  });

  it('round-trips and differentiates data (sequence_length gets a zero gradient)', () => {
    const s = SequenceMask({ data: x(), useSequenceLength: true, value: -1, name: 'm' });
    expect(roundTrip(s, 'm')).toEqual({ use_sequence_length: 'True', value: '-1' });
    expect(gradientShapes(s, ['x', 'm_sequence_length'], { x: [3, 2, 4] })).toContain('_backward_SequenceMask');
    expect(findOp('SequenceMask')!.inplace!({})).toEqual([[0, 0]]);
  });
});

describe('SequenceLast', () => {
  it('drops the time axis', () => {
    const s = SequenceLast({ data: x(), useSequenceLength: true, name: 'l' });
    expect(s.inferShape({ x: [5, 3, 2] }).outShapes).toEqual([[3, 2]]);
    expect(s.inferShape({ x: [5, 3, 2] }).argShapes[1]).toEqual([3]);
    const batchFirst = SequenceLast({ data: x(), axis: 1, name: 'l' });
    expect(batchFirst.inferShape({ x: [5, 3, 2] }).outShapes).toEqual([[5, 2]]);
  });

  it('infers all but the time axis of data from the output', () => {
    const s = SequenceLast({ data: x(), name: 'l' });
    expect(withOut(s).inferShapePartial({ y: [3, 2] }).argShapes[0]).toEqual([0, 3, 2]);
    const b = SequenceLast({ data: x(), axis: 1, useSequenceLength: true, name: 'l' });
    expect(withOut(b).inferShapePartial({ y: [0, 2], l_sequence_length: [6] }).argShapes[0]).toEqual([6, 0, 2]);
  });

  it('names node and op, types, round-trips and differentiates', () => {
    expectInferError(
      () => SequenceLast({ data: x(), axis: -1, name: 'l' }).inferShape({ x: [2, 3] }),
      'SequenceLast',
      'l',
      /axis must be 0 or 1/,
    );
    const s = SequenceLast({ data: x(), useSequenceLength: true, name: 'l' });
    expect(s.inferType({ x: 'float64', l_sequence_length: 'int64' }).outTypes).toEqual(['float64']);
    expect(roundTrip(s, 'l')).toEqual({ use_sequence_length: 'True' });
    expect(gradientShapes(s, ['x'], { x: [4, 3, 2] })).toContain('_backward_SequenceLast');
  });
});

describe('SequenceReverse', () => {
  it('keeps the shape, with time axis 0 only', () => {
    const s = SequenceReverse({ data: x(), useSequenceLength: true, name: 'r' });
    expect(s.inferShape({ x: [5, 3] }).argShapes).toEqual([[5, 3], [3]]);
    expect(withOut(s).inferShape({ y: [5, 3] }).argShapes[0]).toEqual([5, 3]);
    expectInferError(
      () => SequenceReverse({ data: x(), axis: 1, name: 'r' }).inferShape({ x: [5, 3] }),
      'SequenceReverse',
      'r',
      /only axis 0/,
    );
  });

  it('types, round-trips and differentiates', () => {
    const s = SequenceReverse({ data: x(), useSequenceLength: true, name: 'r' });
    expect(s.inferType({ x: 'float16' }).argTypes).toEqual(['float16', 'float16']);
    expect(roundTrip(s, 'r')).toEqual({ use_sequence_length: 'True' });
    const ops = gradientShapes(s, ['x'], { x: [4, 2, 3] });
    expect(ops).toContain('_backward_SequenceReverse');
  });
});
