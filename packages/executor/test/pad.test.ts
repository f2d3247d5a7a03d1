// Pad through the executor: forward against a float64 reference (numpy.pad's definition of each
// mode, written per output index), gradients against finite differences, and its errors, including
// the plan kernel's own checks.
import { BindError, type DType, type NDArray, random, seed, ShapeError, ValueError } from '@bkt/ndarray';
import { Pad, Variable } from '@bkt/symbol';
import { describe, expect, it } from 'vitest';

import { expectError, makeRng, nd, randomValues, ravel, sizeOf, unravel } from '../../ndarray/test/helpers.js';
import { checkNumericGradient, Executor } from '../src/index.js';
import { expectNoAllocations, forwardValues, runKernel } from './plan-harness.js';

const x = Variable('x');
type Mode = 'constant' | 'edge' | 'reflect';

// numpy.pad per axis: the data index an output index reads, or null for constant padding.
function sourceIndex(o: number, before: number, size: number, mode: Mode): number | null {
  const i = o - before;
  if (i >= 0 && i < size) return i;
  if (mode === 'constant') return null;
  if (mode === 'edge') return Math.min(Math.max(i, 0), size - 1);
  // reflect: mirrored about the first / last element, which is not repeated.
  return i < 0 ? Math.abs(i) : size - 1 - (i - (size - 1));
}

function padRef(data: ArrayLike<number>, shape: number[], width: number[], mode: Mode, value: number): number[] {
  const out = shape.map((d, i) => d + width[2 * i]! + width[2 * i + 1]!);
  return Array.from({ length: sizeOf(out) }, (_, f) => {
    const src = unravel(f, out).map((o, i) => sourceIndex(o, width[2 * i]!, shape[i]!, mode));
    return src.some((s) => s === null) ? value : data[ravel(src as number[], shape)]!;
  });
}

// [shape, pad_width]
const CASES: [number[], number[]][] = [
  [
    [2, 3, 4, 5],
    [0, 0, 0, 0, 1, 2, 2, 1],
  ],
  [
    [1, 2, 3, 3],
    [0, 0, 0, 0, 0, 0, 2, 2],
  ],
  [
    [1, 2, 3, 4, 3],
    [0, 0, 0, 0, 1, 1, 2, 0, 0, 2],
  ],
];
const MODES: Mode[] = ['constant', 'edge', 'reflect'];

describe('Pad', () => {
  it.each(['float32', 'float64'] as DType[])('pads with constant, edge and reflect like numpy.pad (%s)', (dtype) => {
    const rng = makeRng(71);
    for (const [shape, padWidth] of CASES) {
      for (const mode of MODES) {
        const data = nd(randomValues(rng, sizeOf(shape)), shape, dtype);
        const constantValue = mode === 'constant' ? 0.5 : 0;
        const [got] = forwardValues(Pad({ data: x, mode, padWidth, constantValue }), { x: data });
        const want = padRef(data.toArray(), shape, padWidth, mode, constantValue);
        expect(Array.from(got!)).toEqual(want);
      }
    }
  });

  it('passes checkNumericGradient in every mode (edge and mirrored elements collect every copy)', () => {
    seed(72);
    const uniform = (shape: number[]): NDArray => random.uniform(-1, 1, shape, { dtype: 'float64' });
    for (const [shape, padWidth] of CASES) {
      for (const mode of MODES) checkNumericGradient(Pad({ data: x, mode, padWidth }), { x: uniform(shape) });
    }
  });

  it('allocates nothing per run', () => {
    const exec = Executor.simpleBind(Pad({ data: x, mode: 'reflect', padWidth: [0, 0, 0, 0, 1, 1, 1, 1] }), {
      shapes: { x: [2, 2, 3, 3] },
    });
    expectNoAllocations(exec);
    exec.dispose();
  });

  it('rejects bad widths and data at symbol creation, at bind and in the kernel', () => {
    const bind = (padWidth: number[], shape: number[], mode: Mode = 'constant') =>
      Executor.simpleBind(Pad({ data: x, mode, padWidth }), { shapes: { x: shape }, gradReq: 'null' });
    expectError(
      () => Pad({ data: x, mode: 'wrap' as Mode, padWidth: [0, 0, 0, 0, 1, 1, 1, 1] }),
      ValueError,
      /Pad.*mode.*'constant', 'edge', 'reflect'/,
    );
    expectError(() => bind([0, 0, 1, 1], [2, 3]), ShapeError, /Pad.*data must be 4-D or 5-D/);
    expectError(() => bind([0, 0, 0, 0, 1, 1], [1, 1, 3, 3]), ShapeError, /pad_width has 6 values, 8 expected/);
    expectError(() => bind([0, 1, 0, 0, 1, 1, 1, 1], [1, 1, 3, 3]), ShapeError, /batch and channel axes cannot be padded/);
    expectError(
      () => bind([0, 0, 0, 0, 3, 0, 1, 1], [1, 1, 3, 3], 'reflect'),
      ShapeError,
      /reflect padding of axis 2 \(length 3\)/,
    );
    const data = nd(randomValues(makeRng(73), 9), [1, 1, 3, 3]);
    const attrs = (mode: number, width: number[]) => [mode, width.length, ...width, 0];
    expectError(
      () => runKernel('pad', [data], [nd(new Array(16).fill(0), [1, 1, 4, 4])], attrs(0, [0, 0, 0, 0, 1, 1, 1, 1])),
      ShapeError,
      /Pad: the padded array has shape \(1, 1, 4, 4\), expected \(1, 1, 5, 5\)/,
    );
    expectError(
      () => runKernel('pad', [data], [nd(new Array(49).fill(0), [1, 1, 7, 7])], attrs(2, [0, 0, 0, 0, 2, 2, 3, 2])),
      ValueError,
      /Pad: reflect padding of axis 3/,
    );
    expectError(
      () => runKernel('pad', [data], [nd(new Array(25).fill(0), [1, 1, 5, 5])], attrs(5, [0, 0, 0, 0, 1, 1, 1, 1])),
      ValueError,
      /Pad: unknown mode code 5/,
    );
    expectError(
      () => runKernel('pad', [data], [nd(new Array(25).fill(0), [1, 1, 5, 5])], [0, 8, 0, 0, 0, 0, 1, 1, 1, 1]),
      BindError,
      /Pad: the plan gives 10 attributes, the kernel reads more/,
    );
    expectError(
      () =>
        runKernel(
          'pad_backward',
          [nd(new Array(16).fill(0), [1, 1, 4, 4])],
          [nd(new Array(9).fill(0), [1, 1, 3, 3])],
          attrs(1, [0, 0, 0, 0, 1, 1, 1, 1]),
        ),
      ShapeError,
      /_backward_Pad: the padded array/,
    );
  });
});
