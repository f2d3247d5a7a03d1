import { BindError, type DType, DTypeError, ShapeError, ValueError, zeros } from '@bkt/ndarray';
import { Concat, MakeLoss, SliceChannel, type Symbol, Variable } from '@bkt/symbol';
import { describe, expect, it } from 'vitest';

import { checkNumericGradient, Executor } from '../src/index.js';
import { expectAllClose, expectError, makeRng, nd, randomValues, tolerance, values } from '../../ndarray/test/helpers.js';
import { expectNoAllocations, forwardValues, runKernel } from './plan-harness.js';

const size = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);

// Plain joining of row-major arrays along `axis`: each output row (the dims before `axis`) is the
// parts' rows laid end to end.
function joinRef(parts: Float64Array[], shapes: number[][], axis: number): Float64Array {
  const outer = size(shapes[0]!.slice(0, axis));
  const rows = parts.map((p) => p.length / Math.max(outer, 1));
  const out: number[] = [];
  for (let o = 0; o < outer; o++) parts.forEach((p, k) => out.push(...p.subarray(o * rows[k]!, (o + 1) * rows[k]!)));
  return Float64Array.from(out);
}

// Splitting is the inverse: part k of each row.
function splitRef(x: Float64Array, shape: number[], axis: number, n: number): Float64Array[] {
  const outer = size(shape.slice(0, axis));
  const row = x.length / outer;
  const piece = row / n;
  return Array.from({ length: n }, (_, k) => {
    const out: number[] = [];
    for (let o = 0; o < outer; o++) out.push(...x.subarray(o * row + k * piece, o * row + (k + 1) * piece));
    return Float64Array.from(out);
  });
}

const DTYPES: DType[] = ['float32', 'float64', 'int32'];

describe('Concat', () => {
  const CASES: { name: string; shapes: number[][]; dim: number }[] = [
    {
      name: 'three parts along axis 1',
      shapes: [
        [2, 3, 2],
        [2, 1, 2],
        [2, 4, 2],
      ],
      dim: 1,
    },
    {
      name: 'along axis 0',
      shapes: [
        [1, 3],
        [3, 3],
      ],
      dim: 0,
    },
    {
      name: 'along the last axis, negative',
      shapes: [
        [2, 2, 3],
        [2, 2, 1],
      ],
      dim: -1,
    },
    { name: '1-D', shapes: [[4], [2], [1]], dim: 0 },
    { name: 'one part', shapes: [[2, 5]], dim: 1 },
  ];

  const symbol = (n: number, dim: number): Symbol =>
    Concat({ data: Array.from({ length: n }, (_, k) => Variable(`a${k}`)), dim, name: 'cat' });

  it.each(CASES)('matches a plain join in float32, float64 and int32: $name', ({ shapes, dim }) => {
    const rng = makeRng(51);
    const parts = shapes.map((s) => randomValues(rng, size(s), -100, 100).map(Math.round));
    const axis = dim < 0 ? dim + shapes[0]!.length : dim;
    for (const dtype of DTYPES) {
      const args = Object.fromEntries(parts.map((p, k) => [`a${k}`, nd(p, shapes[k]!, dtype)]));
      const [out] = forwardValues(symbol(shapes.length, dim), args);
      expectAllClose(out!, joinRef(parts, shapes, axis), tolerance('float64'));
    }
  });

  it.each(CASES)('passes checkNumericGradient: $name', ({ shapes, dim }) => {
    const rng = makeRng(52);
    const location = Object.fromEntries(shapes.map((s, k) => [`a${k}`, nd(randomValues(rng, size(s)), s, 'float64')]));
    checkNumericGradient(symbol(shapes.length, dim), location);
  });

  it('raises typed errors at bind and natively', () => {
    expect(() => Executor.simpleBind(symbol(2, 1), { shapes: { a0: [2, 3], a1: [3, 3] } })).toThrow(ShapeError);
    expect(() => Concat({ data: [Variable('a')], dim: 1, numArgs: 0 } as never)).toThrow(ValueError);
    const a = zeros([2, 3]);
    const b = zeros([2, 1]);
    expectError(
      () => runKernel('concat', [a, b], [zeros([2, 5])], [1]),
      ShapeError,
      /Concat: the inputs add up to 4 along axis 1/,
    );
    expectError(
      () => runKernel('concat', [a, zeros([3, 1])], [zeros([2, 4])], [1]),
      ShapeError,
      /Concat: input 1 \(3, 1\) does not fit/,
    );
    expectError(
      () => runKernel('concat', [a, zeros([2, 1], { dtype: 'float64' })], [zeros([2, 4])], [1]),
      DTypeError,
      /Concat: part 1 is float64/,
    );
    expectError(() => runKernel('concat', [a, b], [zeros([2, 4])], [2]), ShapeError, /Concat: axis 2/);
    expectError(
      () => runKernel('concat', [a, b], [zeros([2, 4])], []),
      BindError,
      /Concat: the plan gives 0 attributes, the kernel takes 1/,
    );
    expectError(() => runKernel('concat_backward', [zeros([2, 4])], [a, zeros([2, 2])], [1]), ShapeError, /_backward_Concat/);
  });
});

describe('SliceChannel', () => {
  const CASES: { name: string; shape: number[]; numOutputs: number; axis: number; squeezeAxis?: boolean }[] = [
    { name: 'three parts along axis 1', shape: [2, 6, 2], numOutputs: 3, axis: 1 },
    { name: 'along the last axis, negative', shape: [3, 2, 4], numOutputs: 2, axis: -1 },
    { name: 'squeezed along axis 0', shape: [3, 2, 2], numOutputs: 3, axis: 0, squeezeAxis: true },
    { name: 'one part', shape: [4, 3], numOutputs: 1, axis: 1 },
  ];

  const symbol = (c: (typeof CASES)[number]): Symbol =>
    SliceChannel({
      data: Variable('x'),
      numOutputs: c.numOutputs,
      axis: c.axis,
      squeezeAxis: c.squeezeAxis ?? false,
      name: 'sc',
    });

  it.each(CASES)('matches a plain split in float32, float64 and int32: $name', (c) => {
    const x = randomValues(makeRng(53), size(c.shape), -100, 100).map(Math.round);
    const axis = c.axis < 0 ? c.axis + c.shape.length : c.axis;
    const want = splitRef(x, c.shape, axis, c.numOutputs);
    for (const dtype of DTYPES) {
      const outs = forwardValues(symbol(c), { x: nd(x, c.shape, dtype) });
      expect(outs).toHaveLength(c.numOutputs);
      outs.forEach((o, k) => expectAllClose(o, want[k]!, tolerance('float64')));
    }
  });

  it.each(CASES)('passes checkNumericGradient: $name', (c) => {
    checkNumericGradient(symbol(c), { x: nd(randomValues(makeRng(54), size(c.shape)), c.shape, 'float64') });
  });

  it('gives zero gradient to parts nothing reads, and allocates nothing per run', () => {
    const sc = symbol(CASES[0]!);
    const net = Concat({ data: [sc.at(2), sc.at(0)], dim: 1, name: 'cat' });
    checkNumericGradient(net, { x: nd(randomValues(makeRng(55), 24), [2, 6, 2], 'float64') });
    const exec = Executor.simpleBind(net, { shapes: { x: [2, 6, 2] } });
    exec.forward({ isTrain: true });
    exec.backward([nd(new Float64Array(16).fill(1), [2, 4, 2])]);
    const g = values(exec.gradDict.x!);
    // Rows of x: [part0 (2 cols), part1, part2] per batch item, each 2 wide.
    expect(Array.from(g.subarray(0, 12))).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1]);
    expectNoAllocations(exec);
    exec.dispose();
  });

  it('raises typed errors at bind and natively', () => {
    expect(() => Executor.simpleBind(symbol(CASES[0]!), { shapes: { x: [2, 5, 2] } })).toThrow(ShapeError);
    expect(() => SliceChannel({ data: Variable('x'), numOutputs: 0 })).toThrow(ValueError);
    const x = zeros([2, 6]);
    expectError(
      () => runKernel('slice_channel', [x], [zeros([2, 3]), zeros([2, 3])], [3, 1, 0]),
      ValueError,
      /SliceChannel: num_outputs 3 does not match the plan's 2 parts/,
    );
    expectError(
      () => runKernel('slice_channel', [x], [zeros([2, 3]), zeros([2, 2])], [2, 1, 0]),
      ShapeError,
      /SliceChannel: part 1 has shape \(2, 2\), expected \(2, 3\)/,
    );
    expectError(
      () => runKernel('slice_channel', [x], [zeros([2]), zeros([2])], [2, 1, 1]),
      ShapeError,
      /must have length num_outputs 2/,
    );
    expectError(
      () => runKernel('slice_channel_backward', [zeros([2, 3]), zeros([2, 3])], [zeros([2, 5])], [2, 1, 0]),
      ShapeError,
      /_backward_SliceChannel/,
    );
  });
});

describe('MakeLoss', () => {
  // Binds MakeLoss(x), runs a training pass and returns x's gradient (MakeLoss needs no head gradient).
  function gradOf(x: ReturnType<typeof nd>, opts: object): Float64Array {
    const exec = Executor.bind(MakeLoss({ data: Variable('x'), name: 'loss', ...opts }), { args: { x } });
    const [out] = exec.forward({ isTrain: true });
    expect(Array.from(values(out!))).toEqual(Array.from(values(x)));
    exec.backward();
    const g = values(exec.gradDict.x!);
    exec.dispose();
    return g;
  }

  it.each(['float32', 'float64'] as DType[])('sends grad_scale back, normalized as MXNet does (%s)', (dtype) => {
    const x = nd([0.5, -1, 0.1, 2, 0.3, 0.2], [1, 2, 3], dtype);
    const close = (g: Float64Array, v: number): void => expectAllClose(g, new Float64Array(g.length).fill(v), tolerance(dtype));
    close(gradOf(x, { gradScale: 2.5 }), 2.5);
    // 'batch' divides by the rows of the data seen as a matrix: every dimension but the last (1·2).
    close(gradOf(x, { gradScale: 3, normalization: 'batch' }), 1.5);
    close(gradOf(nd([1, 2, 3], [3], dtype), { normalization: 'batch' }), 1);
    // 'valid' divides by the elements above valid_thresh (0.5, 2, 0.3 here), at least 1.
    close(gradOf(x, { gradScale: 6, normalization: 'valid', validThresh: 0.25 }), 2);
    close(gradOf(x, { gradScale: 6, normalization: 'valid', validThresh: 5 }), 6);
  });

  it('raises natively on a malformed plan', () => {
    expectError(
      () => runKernel('make_loss_backward', [], [zeros([2])], [1, 0, 7]),
      ValueError,
      /_backward_MakeLoss: unknown normalization code 7/,
    );
    expectError(
      () => runKernel('make_loss_backward', [], [zeros([2])], [1, 0, 2]),
      BindError,
      /_backward_MakeLoss: the plan gives 0 inputs and 1 outputs, the kernel takes 1 inputs/,
    );
    expectError(() => runKernel('make_loss_backward', [zeros([3])], [zeros([2])], [1, 0, 2]), ShapeError, /_backward_MakeLoss/);
    expectError(
      () => runKernel('make_loss_backward', [], [zeros([2], { dtype: 'int32' })], [1, 0, 0]),
      DTypeError,
      /_backward_MakeLoss/,
    );
  });
});
