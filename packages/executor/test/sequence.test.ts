import { BindError, type DType, DTypeError, IndexError, ShapeError, ValueError, zeros } from '@bkt/ndarray';
import { flip, reverse, SequenceLast, SequenceMask, SequenceReverse, type Symbol, Variable } from '@bkt/symbol';
import { describe, expect, it } from 'vitest';

import { checkNumericGradient, Executor } from '../src/index.js';
import { expectAllClose, expectError, makeRng, nd, randomValues, tolerance, values } from '../../ndarray/test/helpers.js';
import { expectNoAllocations, forwardValues, runKernel } from './plan-harness.js';

const DTYPES: DType[] = ['float32', 'float64'];
const size = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);

// Data (T, N, rest...) for time axis 0 or (N, T, rest...) for axis 1: the flat offset of (t, b, r).
function at(shape: readonly number[], axis: number, t: number, b: number, r: number): number {
  const rest = size(shape.slice(2));
  const [steps, batch] = axis === 0 ? [shape[0]!, shape[1]!] : [shape[1]!, shape[0]!];
  return (axis === 0 ? t * batch + b : b * steps + t) * rest + r;
}

interface SeqCase {
  name: string;
  shape: number[];
  axis: 0 | 1;
  lengths: number[] | null; // null: no sequence_length input
}

const steps = (c: SeqCase): number => c.shape[c.axis]!;
const batch = (c: SeqCase): number => c.shape[1 - c.axis]!;
const lengthOf = (c: SeqCase, b: number): number => (c.lengths ? Math.trunc(c.lengths[b]!) : steps(c));

function maskRef(x: Float64Array, c: SeqCase, value: number): Float64Array {
  const out = Float64Array.from(x);
  const rest = size(c.shape.slice(2));
  for (let b = 0; b < batch(c); b++) {
    for (let t = lengthOf(c, b); t < steps(c); t++) for (let r = 0; r < rest; r++) out[at(c.shape, c.axis, t, b, r)] = value;
  }
  return out;
}

function lastRef(x: Float64Array, c: SeqCase): Float64Array {
  const rest = size(c.shape.slice(2));
  const out = new Float64Array(batch(c) * rest);
  for (let b = 0; b < batch(c); b++) {
    for (let r = 0; r < rest; r++) out[b * rest + r] = x[at(c.shape, c.axis, lengthOf(c, b) - 1, b, r)]!;
  }
  return out;
}

function reverseStepsRef(x: Float64Array, c: SeqCase): Float64Array {
  const out = new Float64Array(x.length);
  const rest = size(c.shape.slice(2));
  for (let b = 0; b < batch(c); b++) {
    const len = lengthOf(c, b);
    for (let t = 0; t < steps(c); t++) {
      for (let r = 0; r < rest; r++) out[at(c.shape, 0, t, b, r)] = x[at(c.shape, 0, t < len ? len - 1 - t : t, b, r)]!;
    }
  }
  return out;
}

type SeqOp = typeof SequenceMask | typeof SequenceLast | typeof SequenceReverse;

function seqSymbol(op: SeqOp, c: SeqCase, extra: object = {}): Symbol {
  return op({
    data: Variable('x'),
    ...(c.lengths ? { sequence_length: Variable('len') } : {}),
    useSequenceLength: c.lengths !== null,
    axis: c.axis,
    name: 's',
    ...extra,
  } as never);
}

function seqArgs(c: SeqCase, x: Float64Array, dtype: DType, lenDtype: DType = dtype): Record<string, ReturnType<typeof nd>> {
  return { x: nd(x, c.shape, dtype), ...(c.lengths ? { len: nd(c.lengths, [c.lengths.length], lenDtype) } : {}) };
}

const MASK_CASES: SeqCase[] = [
  { name: 'time-major, lengths 0, truncated 2.7, past T', shape: [5, 3, 2], axis: 0, lengths: [0, 2.7, 7] },
  { name: 'batch-major, 4-D', shape: [3, 4, 2, 2], axis: 1, lengths: [4, 1, 3] },
  { name: 'without lengths', shape: [3, 2, 3], axis: 0, lengths: null },
];
const LAST_CASES: SeqCase[] = [
  { name: 'time-major, lengths 1, T and truncated 3.9', shape: [5, 3, 2], axis: 0, lengths: [1, 5, 3.9] },
  { name: 'batch-major, 4-D', shape: [2, 4, 3, 2], axis: 1, lengths: [2, 4] },
  { name: 'without lengths, batch-major', shape: [3, 4, 2], axis: 1, lengths: null },
];
const REVERSE_CASES: SeqCase[] = [
  { name: 'lengths 0, T and truncated 2.2', shape: [5, 3, 2], axis: 0, lengths: [0, 5, 2.2] },
  { name: '4-D', shape: [4, 2, 3, 2], axis: 0, lengths: [3, 1] },
  { name: 'without lengths', shape: [4, 3], axis: 0, lengths: null },
];

describe('SequenceMask', () => {
  it.each(MASK_CASES)('matches a float64 reference: $name', (c) => {
    const x = randomValues(makeRng(31), size(c.shape));
    for (const dtype of DTYPES) {
      for (const lenDtype of ['int32', dtype] as DType[]) {
        const [out] = forwardValues(seqSymbol(SequenceMask, c, { value: -1.5 }), seqArgs(c, x, dtype, lenDtype));
        expectAllClose(out!, maskRef(x, c, -1.5), tolerance(dtype));
      }
    }
  });

  it.each(MASK_CASES)('passes checkNumericGradient: $name', (c) => {
    const args = seqArgs(c, randomValues(makeRng(32), size(c.shape)), 'float64');
    checkNumericGradient(seqSymbol(SequenceMask, c, { value: 3 }), args, { noGrad: ['len'] });
  });
});

describe('SequenceLast', () => {
  it.each(LAST_CASES)('matches a float64 reference: $name', (c) => {
    const x = randomValues(makeRng(33), size(c.shape));
    for (const dtype of DTYPES) {
      const [out] = forwardValues(seqSymbol(SequenceLast, c), seqArgs(c, x, dtype, 'int32'));
      expectAllClose(out!, lastRef(x, c), tolerance(dtype));
    }
  });

  it.each(LAST_CASES)('passes checkNumericGradient: $name', (c) => {
    const args = seqArgs(c, randomValues(makeRng(34), size(c.shape)), 'float64');
    checkNumericGradient(seqSymbol(SequenceLast, c), args, { noGrad: ['len'] });
  });
});

describe('SequenceReverse', () => {
  it.each(REVERSE_CASES)('matches a float64 reference: $name', (c) => {
    const x = randomValues(makeRng(35), size(c.shape));
    for (const dtype of DTYPES) {
      const [out] = forwardValues(seqSymbol(SequenceReverse, c), seqArgs(c, x, dtype));
      expectAllClose(out!, reverseStepsRef(x, c), tolerance(dtype));
    }
  });

  it.each(REVERSE_CASES)('passes checkNumericGradient: $name', (c) => {
    const args = seqArgs(c, randomValues(makeRng(36), size(c.shape)), 'float64');
    checkNumericGradient(seqSymbol(SequenceReverse, c), args, { noGrad: ['len'] });
  });
});

describe('Sequence* gradients of sequence_length, allocation and errors', () => {
  it('give sequence_length a zero gradient and allocate nothing per run', () => {
    for (const op of [SequenceMask, SequenceLast, SequenceReverse]) {
      const c = { name: '', shape: [4, 2, 3], axis: 0, lengths: [2, 3] } as SeqCase;
      const exec = Executor.bind(seqSymbol(op, c), {
        args: seqArgs(c, randomValues(makeRng(37), 24), 'float64'),
        argsGrad: { len: nd([7, 7], [2], 'float64') },
      });
      exec.forward({ isTrain: true });
      exec.backward();
      expect(Array.from(values(exec.gradDict.len!))).toEqual([0, 0]);
      expect(values(exec.gradDict.x!).some((v) => v !== 0)).toBe(true);
      expectNoAllocations(exec);
      exec.dispose();
    }
  });

  it('raise IndexError for lengths the operator cannot honour, naming the node', () => {
    const run = (op: SeqOp, lengths: number[]): void => {
      const c: SeqCase = { name: '', shape: [3, 2, 2], axis: 0, lengths };
      forwardValues(seqSymbol(op, c), seqArgs(c, new Float64Array(12), 'float32'));
    };
    expectError(
      () => run(SequenceMask, [1, -1]),
      IndexError,
      /SequenceMask 's'.*sequence_length\[1\] = -1\.0+ is not a non-negative number/,
    );
    expectError(() => run(SequenceMask, [1, NaN]), IndexError, /SequenceMask 's'/);
    expectError(
      () => run(SequenceLast, [0, 2]),
      IndexError,
      /SequenceLast 's'.*sequence_length\[0\] = 0\.0+ is outside \[1, 3\]/,
    );
    expectError(() => run(SequenceLast, [1, 4]), IndexError, /outside \[1, 3\]/);
    expectError(() => run(SequenceReverse, [4, 1]), IndexError, /SequenceReverse 's'.*outside \[0, 3\]/);
    expect(() => run(SequenceMask, [0, 99])).not.toThrow();
  });

  it('raise bind-time shape errors and attribute errors from the symbol layer', () => {
    const c: SeqCase = { name: '', shape: [3, 2, 2], axis: 0, lengths: [1, 2] };
    expect(() => Executor.simpleBind(seqSymbol(SequenceMask, c), { shapes: { x: [3, 2, 2], len: [3] } })).toThrow(ShapeError);
    expect(() => Executor.simpleBind(seqSymbol(SequenceReverse, { ...c, axis: 1 }), { shapes: { x: [3, 2, 2] } })).toThrow(
      /only axis 0/,
    );
    expect(() => Executor.simpleBind(seqSymbol(SequenceLast, { ...c, axis: 2 as never }), { shapes: { x: [3, 2, 2] } })).toThrow(
      /axis must be 0 or 1/,
    );
  });

  it('check, natively, whatever a plan hands them', () => {
    const x = zeros([3, 2, 2]);
    expectError(
      () => runKernel('sequence_last', [x, zeros([3])], [zeros([2, 2])], [1, 0]),
      ShapeError,
      /SequenceLast: sequence_length/,
    );
    expectError(() => runKernel('sequence_last', [x], [zeros([3, 2])], [0, 0]), ShapeError, /SequenceLast: output/);
    expectError(
      () => runKernel('sequence_mask', [x], [zeros([3, 2, 2])], [1, 0, 0]),
      BindError,
      /SequenceMask: the plan gives 1 inputs and 1 outputs, the kernel takes 2/,
    );
    expectError(() => runKernel('sequence_reverse', [x], [x], [0, 0]), ValueError, /cannot run in place/);
    expectError(
      () => runKernel('sequence_last', [x], [zeros([2, 2])], [0]),
      BindError,
      /SequenceLast: the plan gives 1 attributes, the kernel takes 2/,
    );
    expectError(
      () => runKernel('sequence_mask', [zeros([3, 2, 2], { dtype: 'int32' })], [zeros([3, 2, 2], { dtype: 'int32' })], [0, 0, 0]),
      DTypeError,
      /SequenceMask: data must be float32 or float64/,
    );
    // SequenceMask may run in place (MXNet's FInplaceOption): it then only masks.
    const inPlace = nd([1, 2, 3, 4, 5, 6], [3, 2]);
    runKernel('sequence_mask', [inPlace, nd([3, 1], [2])], [inPlace], [1, 0, 0]);
    expect(Array.from(values(inPlace))).toEqual([1, 2, 3, 0, 5, 0]);
  });
});

// Plain reverse: out[i] = in[i with each listed axis mirrored], an axis listed twice cancelling.
function reverseRef(x: Float64Array, shape: number[], axes: number[]): Float64Array {
  const flipAxis = shape.map((_, d) => axes.filter((a) => (a < 0 ? a + shape.length : a) === d).length % 2 === 1);
  const out = new Float64Array(x.length);
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < x.length; i++) {
    let rem = i;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = rem % shape[d]!;
      rem = Math.floor(rem / shape[d]!);
    }
    let src = 0;
    for (let d = 0; d < shape.length; d++) src = src * shape[d]! + (flipAxis[d] ? shape[d]! - 1 - idx[d]! : idx[d]!);
    out[i] = x[src]!;
  }
  return out;
}

describe('reverse / flip', () => {
  const CASES: { shape: number[]; axis: number[] }[] = [
    { shape: [7], axis: [0] },
    { shape: [3, 4, 5], axis: [1] },
    { shape: [3, 4, 5], axis: [-1, 0] },
    { shape: [2, 3, 4, 2], axis: [0, 2] },
    { shape: [2, 3, 4], axis: [1, 1] },
    { shape: [4, 3], axis: [] },
  ];

  it.each(CASES)('matches a float64 reference: $shape along $axis, in every dtype', ({ shape, axis }) => {
    const x = randomValues(makeRng(41), size(shape), -50, 50).map(Math.round);
    for (const dtype of [...DTYPES, 'int32'] as DType[]) {
      const [out] = forwardValues(reverse({ data: Variable('x'), axis }), { x: nd(x, shape, dtype) });
      expectAllClose(out!, reverseRef(x, shape, axis), tolerance('float64'));
    }
    const [viaFlip] = forwardValues(flip({ data: Variable('x'), axis }), { x: nd(x, shape, 'float64') });
    expectAllClose(viaFlip!, reverseRef(x, shape, axis), tolerance('float64'));
  });

  it('passes checkNumericGradient', () => {
    const x = nd(randomValues(makeRng(42), 24), [2, 3, 4], 'float64');
    checkNumericGradient(reverse({ data: Variable('x'), axis: [0, -1] }), { x });
  });

  it('raises on axes out of range, at bind and natively', () => {
    expect(() => Executor.simpleBind(reverse({ data: Variable('x'), axis: [3] }), { shapes: { x: [2, 3] } })).toThrow(ShapeError);
    expectError(
      () => runKernel('reverse', [zeros([2, 3])], [zeros([2, 3])], [1, 2]),
      ValueError,
      /reverse: axis 2 is out of range/,
    );
    expectError(
      () => runKernel('reverse', [zeros([2, 3])], [zeros([2, 3])], [2, 0]),
      BindError,
      /reverse: attribute list of length 2 does not fit/,
    );
    expectError(() => runKernel('reverse', [zeros([2, 3])], [zeros([3, 2])], [1, 0]), ShapeError, /reverse: output/);
  });
});
