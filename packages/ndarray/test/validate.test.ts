// Bad arguments at the API boundary: typed errors naming the function and the argument (issue 11,
// item 7), and the reusable checks of validate.ts that other packages build on.
import { describe, expect, it } from 'vitest';

import {
  arange,
  argmax,
  array,
  batchDot,
  checkBoolean,
  checkContext,
  checkFiniteNumber,
  checkInteger,
  checkOneOf,
  checkOptions,
  checkShape,
  checkShapeBytes,
  concat,
  ContextError,
  cpu,
  describeValue,
  dot,
  DTypeError,
  fromTypedArray,
  full,
  logSoftmax,
  mean,
  norm,
  oneHot,
  pick,
  random,
  seed,
  setCurrentContext,
  ShapeError,
  softmax,
  sparse,
  split,
  stack,
  sum,
  take,
  ValueError,
  zeros,
} from '../src/index.js';
import { expectError } from './helpers.js';

describe('the bad calls of issue 11', () => {
  it('zeros(5) and zeros(null) are ShapeErrors naming zeros and shape', () => {
    expectError(
      () => zeros(5 as unknown as number[]),
      ShapeError,
      /^zeros: shape must be an array of non-negative integers, got 5$/,
    );
    expectError(
      () => zeros(null as unknown as number[]),
      ShapeError,
      /^zeros: shape must be an array of non-negative integers, got null$/,
    );
    expectError(() => zeros(['2'] as unknown as number[]), ShapeError, /got \['2'\]/);
  });

  it("array([NaN], { dtype: 'int64' }) is a ValueError; NaN stays fine in float dtypes", () => {
    expectError(() => array([NaN], { dtype: 'int64' }), ValueError, /^array: value NaN at position 0 cannot be stored as int64/);
    expectError(
      () => array([1, Infinity], { dtype: 'int32' }),
      ValueError,
      /value Infinity at position 1 cannot be stored as int32/,
    );
    expectError(() => fromTypedArray(Float32Array.of(NaN), [1], { dtype: 'uint8' }), ValueError, /^fromTypedArray: value NaN/);
    const f = array([NaN]);
    expect(Number.isNaN(f.toArray()[0])).toBe(true);
    f.dispose();
  });

  it("array(['a']) is a ValueError, not NaN", () => {
    expectError(
      () => array(['a'] as unknown as number[]),
      ValueError,
      /^array: data holds 'a' at position 0; only numbers and booleans/,
    );
    expectError(
      () =>
        array([
          [1, 2],
          [3, {}],
        ] as unknown as number[][]),
      ValueError,
      /at position 3/,
    );
    const b = array([true, false]);
    expect(b.toArray()).toEqual([1, 0]);
    b.dispose();
  });

  it("a plain { deviceType: 'gpu' } context is a ContextError, not cpu(0)", () => {
    const gpu = { deviceType: 'gpu', deviceId: 0 } as unknown as ReturnType<typeof cpu>;
    expectError(
      () => zeros([2], { ctx: gpu }),
      ContextError,
      /^zeros: ctx must be a Context made by cpu\(i\), got \{deviceType: 'gpu', deviceId: 0\}/,
    );
    expectError(() => random.uniform(0, 1, [2], { ctx: gpu }), ContextError, /^random\.uniform: ctx/);
    expectError(() => setCurrentContext(gpu), ContextError, /^setCurrentContext: ctx must be a Context made by cpu\(i\)/);
    const a = zeros([1]);
    expect(a.context).toBe(cpu(0));
    expectError(() => a.copyTo(gpu), ContextError, /^copyTo: target must be a Context/);
    a.dispose();
  });

  it('seed(NaN) and other non-integer seeds are ValueErrors', () => {
    for (const bad of [NaN, 1.5, -1, Infinity, '3']) {
      expectError(() => seed(bad as number), ValueError, /^seed: n must be (an integer|at least 0), got/);
    }
    seed(0);
  });

  it('unknown option keys and wrong option types are rejected', () => {
    expectError(
      () => zeros([2], { dtyp: 'float64' } as never),
      ValueError,
      /^zeros: unknown option 'dtyp'; known options: dtype, ctx/,
    );
    expectError(() => array([1], { shap: [1] } as never), ValueError, /^array: unknown option 'shap'/);
    expectError(() => zeros([2], 'float64' as never), ValueError, /^zeros: options must be a plain object, got 'float64'/);
    expectError(() => zeros([2], { dtype: 'toString' as never }), DTypeError, /^zeros: unknown dtype 'toString'/);
    expectError(() => zeros([2], { dtype: 7 as never }), DTypeError, /^zeros: unknown dtype 7/);
    const a = zeros([2, 3]);
    expectError(() => a.reshape([3, 2], { reverse: 1 } as never), ValueError, /^reshape: reverse must be true or false, got 1/);
    expectError(() => a.reshape([3, 2], { revers: true } as never), ValueError, /^reshape: unknown option 'revers'/);
    expectError(() => a.fill('5' as never), ValueError, /^fill: value must be a number, got '5'/);
    a.dispose();
    expectError(() => sparse.zeros('csr', [2, 2], { ctx: 'cpu' } as never), ContextError, /^zeros: ctx/);
    expectError(
      () => sparse.csrMatrix([[], [], [0]], [1, 2], { dtyp: 'float32' } as never),
      ValueError,
      /^csrMatrix: unknown option 'dtyp'/,
    );
    expectError(
      () => sparse.csrMatrix([[1], [NaN], [0, 1]], [1, 2]),
      ValueError,
      /^csrMatrix: indices: element 0 must be an integer, got NaN/,
    );
    expectError(
      () => sparse.rowSparseArray([[1, 2], ['0']] as never, [3, 2]),
      ValueError,
      /^rowSparseArray: indices: element 0 must be an integer, got '0'/,
    );
  });

  it('random and creation parameters must be finite numbers', () => {
    expectError(() => random.uniform(NaN, 1, [2]), ValueError, /^random\.uniform: low must be a finite number, got NaN/);
    expectError(() => random.normal(0, Infinity, [2]), ValueError, /^random\.normal: scale must be a finite number/);
    expectError(() => random.randint(0, 2.5, [2]), ValueError, /^random\.randint: high must be an integer, got 2\.5/);
    expectError(() => full([2], 'x' as never), ValueError, /^full: value must be a number, got 'x'/);
    expectError(() => arange(0, 5, 0), ValueError, /^arange: step must be non-zero/);
  });
});

describe('op options', () => {
  it('unknown keys, non-boolean flags and non-numbers are ValueErrors naming the op and option', () => {
    const a = zeros([2, 3]);
    const i = zeros([2], { dtype: 'int32' });
    const cases: [() => unknown, RegExp][] = [
      [() => take(a, i, { axes: 0 } as never), /^take: unknown option 'axes'; known options: axis, mode/],
      [() => take(a, i, { mode: 'nearest' } as never), /^take: mode must be one of 'clip', 'wrap', 'raise', got 'nearest'/],
      [() => take(a, i, { axis: 0.5 }), /^take: axis must be an integer, got 0\.5/],
      [() => oneHot(i, 3, { onValue: NaN }), /^oneHot: onValue must be a finite number, got NaN/],
      [() => pick(a, i, { keepdims: 'yes' } as never), /^pick: keepdims must be true or false, got 'yes'/],
      [() => concat([a, a], { axis: 0 } as never), /^concat: unknown option 'axis'; known options: dim/],
      [() => stack([a, a], { axis: '1' } as never), /^stack: axis must be an integer, got '1'/],
      [() => split(a, 3, { squeezeAxis: 1 } as never), /^split: squeezeAxis must be true or false, got 1/],
      [() => dot(a, a, { transpose_b: true } as never), /^dot: unknown option 'transpose_b'/],
      [() => batchDot(a, a, { transposeA: 1 } as never), /^batchDot: transposeA must be true or false/],
      [
        () => sum(a, { keepDims: true } as never),
        /^sum: unknown option 'keepDims' \(did you mean 'keepdims'\?\); known options: axis, keepdims, exclude/,
      ],
      [() => mean(a, { ord: 1 } as never), /^mean: unknown option 'ord'/],
      [() => sum(a, { axis: 1e300 }), /^sum: axis must be an integer/],
      [() => sum(a, { axis: [0, NaN] }), /^sum: axis must be an array of integers/],
      [() => norm(a, { ord: 3 } as never), /^norm: ord must be 1 or 2, got 3/],
      [() => argmax(a, { axis: NaN }), /^argmax: axis must be an integer, got NaN/],
      [() => softmax(a, { temperature: 'hot' } as never), /^softmax: temperature must be a finite number, got 'hot'/],
      [() => logSoftmax(a, { dim: 0 } as never), /^log_softmax: unknown option 'dim'/],
    ];
    for (const [call, message] of cases) expectError(call, ValueError, message);
    const c = sparse.zeros('csr', [2, 3]) as sparse.CSRNDArray;
    expectError(
      () => sparse.dot(c, zeros([3, 1]), { transpose: true } as never),
      ValueError,
      /^sparse\.dot: unknown option 'transpose'/,
    );
    for (const x of [a, i, c]) x.dispose();
  });
});

describe('validate.ts helpers', () => {
  it('checkShape returns a copy of a valid shape and names the function and argument otherwise', () => {
    const s = [2, 0, 3];
    const out = checkShape(s, 'f', 'dims');
    expect(out).toEqual([2, 0, 3]);
    expect(out).not.toBe(s);
    expectError(
      () => checkShape([1, -1], 'f', 'dims'),
      ShapeError,
      /^f: dims must be an array of non-negative integers, got \[1, -1\]/,
    );
    expectError(() => checkShape(new Array(33).fill(1), 'f'), ShapeError, /^f: shape may have at most 32 dimensions/);
    expectError(() => checkShape([2 ** 27, 2 ** 27], 'f'), ShapeError, /more than 2\^53 elements/);
    expect(checkShape([2 ** 26, 2 ** 27], 'f')).toEqual([2 ** 26, 2 ** 27]);
    expect(checkShapeBytes([2, 3], 8, 'f')).toEqual([2, 3]);
    expectError(() => checkShapeBytes([2 ** 51], 8, 'f'), ShapeError, /of 8-byte elements needs more than 2\^53 bytes/);
  });

  it('checkFiniteNumber, checkInteger, checkBoolean and checkOneOf', () => {
    expect(checkFiniteNumber(-0.5, 'f', 'x')).toBe(-0.5);
    for (const bad of [NaN, Infinity, -Infinity, '1', null, undefined]) {
      expectError(() => checkFiniteNumber(bad, 'f', 'x'), ValueError, /^f: x must be a finite number/);
    }
    expect(checkFiniteNumber(undefined, 'f', 'x', { fallback: 2 })).toBe(2);
    expect(checkFiniteNumber(0, 'f', 'x', { min: 0, max: 1 })).toBe(0);
    expectError(() => checkFiniteNumber(-0.1, 'f', 'lr', { min: 0 }), ValueError, /^f: lr must be at least 0, got -0.1/);
    expectError(() => checkFiniteNumber(1.5, 'f', 'p', { max: 1 }), ValueError, /^f: p must be at most 1, got 1.5/);
    expect(checkInteger(3, 'f', 'n', { min: 1, max: 3 })).toBe(3);
    expectError(() => checkInteger(4, 'f', 'n', { min: 1, max: 3 }), ValueError, /^f: n must be at most 3, got 4/);
    expectError(() => checkInteger(2 ** 53, 'f', 'n'), ValueError, /^f: n must be an integer, got 9007199254740992/);
    expect(checkBoolean(false, 'f', 'b')).toBe(false);
    expectError(() => checkBoolean(0, 'f', 'b'), ValueError, /^f: b must be true or false, got 0/);
    expect(checkOneOf('clip', ['clip', 'wrap'] as const, 'f', 'mode')).toBe('clip');
    expectError(
      () => checkOneOf('raise!', ['clip', 'wrap'], 'f', 'mode'),
      ValueError,
      /^f: mode must be one of 'clip', 'wrap', got 'raise!'/,
    );
  });

  it('checkOptions accepts undefined, known keys and null-prototype objects; refuses the rest', () => {
    interface O {
      a?: number;
      b?: string;
    }
    expect(checkOptions<O>(undefined, ['a', 'b'], 'f')).toEqual({});
    expect(checkOptions<O>({ a: 1 }, ['a', 'b'], 'f')).toEqual({ a: 1 });
    const bare = Object.assign(Object.create(null) as O, { b: 'x' });
    expect(checkOptions<O>(bare, ['a', 'b'], 'f')).toBe(bare);
    expectError(() => checkOptions<O>({ c: 1 } as O, ['a', 'b'], 'f'), ValueError, /^f: unknown option 'c'; known options: a, b/);
    expectError(
      () => checkOptions<O>({ B: 'x' } as O, ['a', 'b'], 'f'),
      ValueError,
      /^f: unknown option 'B' \(did you mean 'b'\?\); known options: a, b/,
    );
    expectError(() => checkOptions<O>([] as O, ['a'], 'f'), ValueError, /^f: options must be a plain object, got \[\]/);
    expectError(() => checkOptions<O>(null as unknown as O, ['a'], 'f'), ValueError, /got null/);
    expectError(() => checkOptions<object>({ x: 1 }, [], 'f'), ValueError, /; it takes none$/);
  });

  it('checkContext and describeValue', () => {
    expect(checkContext(cpu(2), 'f')).toBe(cpu(2));
    expectError(
      () => checkContext({ deviceId: 0 }, 'f', 'device'),
      ContextError,
      /^f: device must be a Context made by cpu\(i\), got \{deviceId: 0\}/,
    );
    expect(describeValue(new Map())).toBe('a Map');
    expect(describeValue(10n)).toBe('10n');
    expect(describeValue('x'.repeat(50))).toBe(`'${'x'.repeat(40)}...'`);
    expect(describeValue(Array.from({ length: 10 }, (_, i) => i))).toBe('[0, 1, 2, 3, 4, 5, 6, 7, ...]');
  });
});
