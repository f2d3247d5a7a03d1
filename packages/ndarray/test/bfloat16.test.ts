import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import {
  DTYPE_BYTES,
  DTYPE_CODES,
  type DType,
  array,
  fromTypedArray,
  full,
  load,
  loadFromBuffer,
  NDArray,
  ones,
  save,
  transpose,
  where,
  zeros,
} from '../src/index.js';
import { makeRng, roundToBFloat16, roundToHalf } from './helpers.js';
import { listFile, v2Record } from './params-bytes.js';

const dir = mkdtempSync(join(tmpdir(), 'bkt-bf16-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const f32Bits = (bits: number): number => new Float32Array(Uint32Array.of(bits).buffer)[0]!;
const bf16Value = (bits: number): number => f32Bits(bits << 16);

/** Same value, with -0 told from +0 and any NaN equal to any NaN. */
function expectSameValues(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (Number.isNaN(w) && Number.isNaN(g)) continue;
    if (!Object.is(g, w)) expect.fail(`${what}, element ${i}: got ${g}, expected ${w}`);
  }
}

function readBack(a: NDArray): Float32Array {
  try {
    return a.toTypedArray() as Float32Array;
  } finally {
    a.dispose();
  }
}

describe('bfloat16 dtype', () => {
  it('has MXNet type code 12 and two bytes an element', () => {
    expect(DTYPE_CODES.bfloat16).toBe(12);
    expect(DTYPE_BYTES.bfloat16).toBe(2);
    const z = zeros([2, 3], { dtype: 'bfloat16' });
    expect(z.dtype).toBe('bfloat16');
    expect(Array.from(readBack(z))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('rounds float32 values to nearest even: ties, subnormals, overflow, NaN and infinities', () => {
    const rng = makeRng(12);
    const bits: number[] = [0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00001, 0x7f800001, 0x7f7fffff, 0xff7fffff];
    // Exact ties with an even and an odd kept part, just below and above them, and in the subnormals.
    for (const hi of [0x3f80, 0x3f81, 0x0001, 0x0002, 0x807f, 0x7f7e, 0x7f7f]) {
      for (const lo of [0x8000, 0x7fff, 0x8001, 0x0000, 0xffff]) bits.push(((hi << 16) | lo) >>> 0);
    }
    for (let i = 0; i < 2000; i++) bits.push(Math.floor(rng() * 2 ** 32) >>> 0);
    const input = Float32Array.from(bits, f32Bits);
    const want = Array.from(input, roundToBFloat16);
    expectSameValues(readBack(fromTypedArray(input, [input.length], { dtype: 'bfloat16' })), want, 'fromTypedArray');
    const f32 = fromTypedArray(input, [input.length]);
    expectSameValues(readBack(f32.astype('bfloat16')), want, 'astype');
    f32.dispose();
  });

  it('rounds a float64 once, not through float32 first', () => {
    // 1 + 2^-8 + 2^-40 is just above the tie between 1 and 1 + 2^-7; float32 would round it onto the tie.
    const input = [
      1 + 2 ** -8 + 2 ** -40,
      1 + 2 ** -8,
      1 + 3 * 2 ** -8,
      -(1 + 2 ** -8 + 2 ** -40),
      3.4e38,
      1e-45,
      1e300,
      -1e-300,
    ];
    const want = input.map(roundToBFloat16);
    expect(want[0]).toBe(1 + 2 ** -7);
    expectSameValues(readBack(array(input, { dtype: 'bfloat16' })), want, 'array');
    expectSameValues(
      readBack(fromTypedArray(Float64Array.from(input), [input.length], { dtype: 'bfloat16' })),
      want,
      'fromTypedArray',
    );
    expectSameValues(readBack(full([1], input[0]!, { dtype: 'bfloat16' })), [want[0]!], 'full');
    const filled = ones([3], { dtype: 'bfloat16' }).fill(1 + 2 ** -8 + 2 ** -40);
    expectSameValues(readBack(filled), [want[0]!, want[0]!, want[0]!], 'fill');
  });

  it('casts to and from every other dtype', () => {
    const bf = array([0, -2.5, 1.5, 3, 255, -128, 0.125, 65280], { dtype: 'bfloat16' });
    const src = Array.from(bf.toTypedArray() as Float32Array);
    const trunc = src.map(Math.trunc);
    // int8 and uint8 are checked below on values they hold: out of range, a float-to-int cast is C's.
    const wants: Partial<Record<DType, number[]>> = {
      float32: src,
      float64: src,
      float16: src.map(roundToHalf),
      int32: trunc,
      int64: trunc,
      bool: src.map((v) => (v !== 0 ? 1 : 0)),
    };
    for (const [dtype, want] of Object.entries(wants) as [DType, number[]][]) {
      const out = bf.astype(dtype);
      expect(out.dtype).toBe(dtype);
      expect(out.toArray(), dtype).toEqual(want);
      out.dispose();
    }
    const small = array([0, -2.5, 1.5, 3, 127], { dtype: 'bfloat16' });
    expect(small.astype('int8').toArray()).toEqual([0, -2, 1, 3, 127]);
    const nonNegative = array([0, 1.5, 3, 255], { dtype: 'bfloat16' });
    expect(nonNegative.astype('uint8').toArray()).toEqual([0, 1, 3, 255]);
    nonNegative.dispose();
    small.dispose();
    bf.dispose();

    // Into bfloat16: integers past 2^8 round to nearest even, float16 values with more than 8 bits too.
    const ints = [257, 259, -257, 1000001, 0, 16777217];
    for (const dtype of ['int32', 'int64', 'float64'] as const) {
      const a = array(ints, { dtype });
      expect(readBack(a.astype('bfloat16')).join(), dtype).toBe(ints.map(roundToBFloat16).join());
      a.dispose();
    }
    const halves = [1 + 2 ** -10, 1 + 3 * 2 ** -8, 65504, -6.1e-5, 2 ** -24];
    const h = array(halves, { dtype: 'float16' });
    const hv = Array.from(h.toTypedArray() as Float32Array);
    expectSameValues(readBack(h.astype('bfloat16')), hv.map(roundToBFloat16), 'float16 -> bfloat16');
    h.dispose();
    const b = array([0, 1, 1], { dtype: 'bool' });
    expect(Array.from(readBack(b.astype('bfloat16')))).toEqual([0, 1, 1]);
    b.dispose();
  });

  it('copies into a bfloat16 array with copyTo, rounding once', () => {
    const target = zeros([2], { dtype: 'bfloat16' });
    const src = array([1 + 2 ** -8 + 2 ** -40, -3.3], { dtype: 'float64' });
    src.copyTo(target);
    expectSameValues(readBack(target), [1 + 2 ** -7, roundToBFloat16(-3.3)], 'copyTo');
    src.dispose();
  });

  it('writes .params records with type flag 12 and the raw bits, and reads them back', () => {
    const values = [1, -2, 0.1, 3e38, -0, Number.NaN, Number.POSITIVE_INFINITY, 1e-40];
    const a = array(values, { dtype: 'bfloat16' });
    const path = join(dir, 'bf16.params');
    save(path, { 'arg:w': a });
    const bytes = readFileSync(path);
    const bits = values.map((v) => {
      const f = new Float32Array([roundToBFloat16(v)]);
      return Number.isNaN(v) ? 0x7fc0 : new Uint32Array(f.buffer)[0]! >>> 16;
    });
    const data = Buffer.from(Uint16Array.from(bits).buffer);
    const expected = listFile([v2Record({ shape: [values.length], dtype: 12, data })], ['arg:w']);
    expect(Buffer.from(bytes).equals(Buffer.from(expected))).toBe(true);
    const back = load(path) as Record<string, NDArray>;
    expect(back['arg:w']!.dtype).toBe('bfloat16');
    expectSameValues(readBack(back['arg:w']!), values.map(roundToBFloat16), 'load');
    a.dispose();

    // A record built by hand (as MXNet writes it) loads with the values its bits mean.
    const handBits = [0x3f80, 0xbfc0, 0x0001, 0x7f80, 0xff80];
    const list = loadFromBuffer(
      listFile([v2Record({ shape: [5], dtype: 12, data: Buffer.from(Uint16Array.from(handBits).buffer) })]),
    ) as NDArray[];
    expectSameValues(readBack(list[0]!), handBits.map(bf16Value), 'hand-built record');
  });

  it('moves bfloat16 elements through transpose, where, slices and reshapes unchanged', () => {
    const vals = [1, -2, 0.5, 3.25, -0.0078125, 256];
    const a = array(vals, { dtype: 'bfloat16' }).reshape([2, 3]);
    const t = transpose(a);
    expect(t.dtype).toBe('bfloat16');
    expect(Array.from(readBack(t))).toEqual([1, 3.25, -2, -0.0078125, 0.5, 256]);
    expect(Array.from(readBack(a.slice(1, 2)))).toEqual([3.25, -0.0078125, 256]);
    const cond = array([1, 0, 1, 0, 0, 1], { dtype: 'bfloat16' }).reshape([2, 3]);
    const other = full([2, 3], 7, { dtype: 'bfloat16' });
    const picked = where(cond, a, other);
    expect(picked.dtype).toBe('bfloat16');
    expect(Array.from(readBack(picked))).toEqual([1, 7, 0.5, 7, 7, 256]);
    for (const x of [a, cond, other]) x.dispose();
  });
});
