// Size limits: every shape that describes more than 2^53 elements, or more than 2^53 bytes, is refused
// with a typed error before anything is allocated, by the TS API and by native code behind it.
import { describe, expect, it } from 'vitest';

import {
  arange,
  array,
  empty,
  fromTypedArray,
  full,
  IndexError,
  loadFromBuffer,
  memoryStats,
  NativeError,
  ones,
  random,
  resolveReshape,
  ShapeError,
  sparse,
  ValueError,
  zeros,
} from '../src/index.js';
import { type NativeHandle, native } from '../src/native.js';
import { expectError } from './helpers.js';

interface RawBinding {
  empty(shape: readonly number[], dtype: number, devType: number, devId: number): NativeHandle;
  full(shape: readonly number[], dtype: number, devType: number, devId: number, value: number): NativeHandle;
  fromBuffer(data: ArrayBufferView, shape: readonly number[], dtype: number, devType: number, devId: number): NativeHandle;
  arange(start: number, step: number, n: number, dtype: number, devType: number, devId: number): NativeHandle;
  randomUniform(low: number, high: number, shape: readonly number[], dtype: number, devType: number, devId: number): NativeHandle;
  reshapeView(h: NativeHandle, shape: readonly number[]): NativeHandle;
  sliceRows(h: NativeHandle, begin: number, end: number): NativeHandle;
  viewBytes(h: NativeHandle, byteOffset: number, shape: readonly number[], dtype: number): NativeHandle;
  checkRsp(data: NativeHandle, indices: NativeHandle, shape: readonly number[]): void;
  dispose(h: NativeHandle): void;
}
const raw = native as unknown as RawBinding;

const HUGE = [2 ** 32, 2 ** 32]; // 2^64 elements: wrapped to 0 in int64 before these checks

describe('the reproducers of issue 11', () => {
  it('zeros([2^32, 2^32]) is a ShapeError, not a 0-byte array', () => {
    const before = memoryStats();
    expectError(
      () => zeros(HUGE),
      ShapeError,
      /^zeros: shape describes more than 2\^53 elements, got \[4294967296, 4294967296\]/,
    );
    expectError(() => zeros(HUGE).at(1).toTypedArray(), ShapeError, /^zeros: shape/);
    expect(memoryStats().totalAllocations).toBe(before.totalAllocations);
  });

  it('ones([2^32, 2^32]).at(3).slice(0, 4).fill(5) stops at ones', () => {
    expectError(() => ones(HUGE).at(3).slice(0, 4).fill(5), ShapeError, /^ones: shape describes more than 2\^53/);
  });

  it('every creation function refuses the shape, naming itself', () => {
    const cases: [string, () => unknown][] = [
      ['empty', () => empty(HUGE)],
      ['full', () => full(HUGE, 1)],
      ['random.uniform', () => random.uniform(0, 1, HUGE)],
      ['random.normal', () => random.normal(0, 1, HUGE)],
      ['random.randint', () => random.randint(0, 9, HUGE)],
      ['array', () => array(new Float32Array(0), { shape: [0, ...HUGE] })],
      ['fromTypedArray', () => fromTypedArray(new Float32Array(0), [2 ** 27, 0, 2 ** 27])],
    ];
    for (const [fn, call] of cases) expectError(call, ShapeError, new RegExp(`^${fn.replace('.', '\\.')}: shape .*2\\^53`));
  });
});

describe('limits on elements and bytes', () => {
  it('counts zero dims as 1, so a huge dim beside a 0 is refused', () => {
    expectError(() => zeros([0, 2 ** 54]), ShapeError, /zeros: shape describes more than 2\^53 elements/);
    const ok = zeros([0, 2 ** 53]);
    expect(ok.size).toBe(0);
    ok.dispose();
  });

  it('refuses more than 2^53 bytes and reports an allocator refusal as NativeError naming the call and shape', () => {
    expectError(
      () => zeros([2 ** 31, 2 ** 22], { dtype: 'float64' }),
      ShapeError,
      /zeros: shape \[2147483648, 4194304\] of 8-byte elements needs more than 2\^53 bytes/,
    );
    // 4 TiB: within the limits, beyond this machine; the allocator's refusal is a typed error.
    expectError(
      () => zeros([2 ** 20, 2 ** 20]),
      NativeError,
      /^zeros: out of memory allocating 4398046511104 bytes for shape \(1048576, 1048576\) of float32/,
    );
  });

  it('arange refuses a range longer than 2^53 and non-finite bounds', () => {
    expectError(() => arange(0, 1e300), ShapeError, /^arange: \[0, 1e\+300\) in steps of 1 has 1e\+300 elements/);
    expectError(() => arange(0, Infinity), ValueError, /^arange: stop must be a finite number, got Infinity/);
    expectError(() => arange(NaN), ValueError, /^arange: start must be a finite number, got NaN/);
  });

  it('reshape checks the resolved shape, special codes included', () => {
    const a = zeros([0, 3]);
    expectError(
      () => a.reshape([2 ** 40, 2 ** 40, -1]),
      ShapeError,
      /reshape: the resolved shape describes more than 2\^53 elements/,
    );
    expectError(() => a.reshape([-4, 2 ** 40, -1, 2 ** 30]), ShapeError, /reshape: /);
    expectError(() => a.reshape([NaN]), ShapeError, /reshape: cannot reshape \(0, 3\) to \(NaN,\): invalid value NaN/);
    expectError(() => a.reshape(['3'] as unknown as number[]), ShapeError, /invalid value '3'/);
    expectError(() => a.reshape(3 as unknown as number[]), ShapeError, /must be an array of integers/);
    expect(() => resolveReshape([2 ** 26, 2 ** 26], [-3, 2 ** 10])).toThrow(ShapeError);
    a.dispose();
  });

  it('views of a valid array stay inside it', () => {
    const a = zeros([4, 3]);
    const row = a.at(1);
    expect(Array.from(row.toTypedArray() as Float32Array)).toEqual([0, 0, 0]);
    expectError(() => a.slice(0, 5), IndexError, /slice: range \[0, 5\) is out of bounds/);
    expectError(() => a.slice(NaN), ValueError, /^slice: begin must be an integer, got NaN/);
    expectError(() => a.slice(0, 1e300), ValueError, /^slice: end must be an integer, got 1e\+300/);
    row.dispose();
    a.dispose();
  });

  it('a sparse array with a huge dense shape is refused', () => {
    expectError(() => sparse.zeros('row_sparse', HUGE), ShapeError, /2\^53/);
    expectError(() => sparse.zeros('csr', [2 ** 30, 2 ** 30]), ShapeError, /2\^53/);
  });

  it('a loaded .params shape beyond 2^53 elements is a FormatError before allocating', () => {
    const header = new Uint8Array(24);
    new DataView(header.buffer).setBigUint64(0, 0x112n, true);
    new DataView(header.buffer).setBigUint64(16, 1n, true);
    const rec = new DataView(new ArrayBuffer(4 + 4 + 4 + 16));
    rec.setUint32(0, 0xf993fac9, true);
    rec.setInt32(8, 2, true);
    rec.setBigInt64(12, 2n ** 32n, true);
    rec.setBigInt64(20, 2n ** 32n, true);
    const bytes = new Uint8Array([...header, ...new Uint8Array(rec.buffer), ...new Uint8Array(8)]);
    expect(() => loadFromBuffer(bytes)).toThrow(/more than 2\^53 elements/);
  });
});

describe('native code checks the same limits when called directly', () => {
  const F32 = 0;

  it('creation bindings refuse overflowing shapes with ShapeError', () => {
    const before = memoryStats();
    expectError(
      () => raw.empty(HUGE, F32, 1, 0),
      ShapeError,
      /^empty: shape \(4294967296, 4294967296\) has more than 2\^53 elements/,
    );
    expectError(() => raw.full([2 ** 53, 2], F32, 1, 0, 1), ShapeError, /^full: shape .*more than 2\^53 elements/);
    expectError(() => raw.full([2 ** 40, 2 ** 12], F32, 1, 0, 1), ShapeError, /^full: shape .*needs more than 2\^53 bytes/);
    expectError(() => raw.randomUniform(0, 1, [0, 2 ** 30, 2 ** 30], F32, 1, 0), ShapeError, /^random\.uniform: shape/);
    expectError(() => raw.fromBuffer(new Float32Array(0), [0, ...HUGE], F32, 1, 0), ShapeError, /^fromTypedArray: shape/);
    expectError(() => raw.arange(0, 1, 1e300, F32, 1, 0), ValueError, /^arange: count must be an integer/);
    expectError(
      () => raw.empty([1e300], F32, 1, 0),
      ValueError,
      /^empty: shape must be an array of integers of magnitude at most 2\^53/,
    );
    expect(memoryStats().totalAllocations).toBe(before.totalAllocations);
  });

  it('views refuse shapes whose product wraps around to the right size', () => {
    const h = raw.empty([0], F32, 1, 0);
    // 2^64 wraps to 0 in int64: the old size comparison accepted this as a view of 0 elements.
    expectError(
      () => raw.reshapeView(h, HUGE),
      ShapeError,
      /^reshape: shape \(4294967296, 4294967296\) has more than 2\^53 elements/,
    );
    expectError(() => raw.reshapeView(h, [0, ...HUGE]), ShapeError, /^reshape: shape/);
    expectError(() => raw.viewBytes(h, 0, HUGE, F32), ShapeError, /^view: shape/);
    expectError(() => raw.sliceRows(h, NaN, 0), ValueError, /^slice: begin must be an integer/);
    raw.dispose(h);
  });

  it('sparse checks refuse an overflowing dense shape', () => {
    const data = raw.empty([0, 2 ** 32], F32, 1, 0);
    const idx = raw.empty([0], 6, 1, 0);
    expectError(() => raw.checkRsp(data, idx, HUGE), ShapeError, /shape \(4294967296, 4294967296\) has more than 2\^53 elements/);
    raw.dispose(data);
    raw.dispose(idx);
  });
});
