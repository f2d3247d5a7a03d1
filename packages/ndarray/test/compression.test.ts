import { describe, expect, it } from 'vitest';

import {
  compressedSize2bit,
  ContextError,
  cpu,
  dequantize2bit,
  DTypeError,
  fromTypedArray,
  type NDArray,
  quantize2bit,
  ShapeError,
  StateError,
  ValueError,
  zeros,
} from '../src/index.js';
import { expectError, makeRng, nd, randomValues, values } from './helpers.js';

/** The bytes of a float32 array in memory order (no round trip through JS numbers, so NaN words survive). */
function bytesOf(a: NDArray): number[] {
  const f = a.toTypedArray() as Float32Array;
  return Array.from(new Uint8Array(f.buffer, f.byteOffset, f.byteLength));
}

/** A float32 array holding exactly these bytes. */
function wordsFrom(bytes: readonly number[]): NDArray {
  return fromTypedArray(new Float32Array(Uint8Array.from(bytes).buffer), [bytes.length / 4]);
}

const f32 = (xs: readonly number[], shape: readonly number[] = [xs.length]): NDArray => nd(xs, shape, 'float32');

/**
 * The reference, spelled as the MXNet docs describe it: each word is a 32-character bit string of
 * 2-character codes in element order, read as 4 bytes most significant bit first. Residuals follow
 * float32 arithmetic (Math.fround), so the comparison can be exact.
 */
function referenceQuantize(grad: ArrayLike<number>, residual: Float64Array, threshold: number): number[] {
  const t = Math.fround(threshold);
  const codes: string[] = [];
  for (let i = 0; i < grad.length; i++) {
    let r = Math.fround(residual[i]! + Math.fround(grad[i]!));
    if (r >= t) {
      codes.push('11');
      r = Math.fround(r - t);
    } else if (r <= -t) {
      codes.push('10');
      r = Math.fround(r + t);
    } else {
      codes.push('00');
    }
    residual[i] = r;
  }
  while (codes.length % 16 !== 0) codes.push('00');
  const bits = codes.join('');
  const bytes: number[] = [];
  for (let k = 0; k < bits.length; k += 8) bytes.push(parseInt(bits.slice(k, k + 8), 2));
  return bytes;
}

function referenceDequantize(bytes: readonly number[], n: number, threshold: number): number[] {
  const t = Math.fround(threshold);
  const bits = bytes.map((b) => b.toString(2).padStart(8, '0')).join('');
  return Array.from({ length: n }, (_, i) => {
    const code = bits.slice(2 * i, 2 * i + 2);
    return code === '11' ? t : code === '10' ? -t : 0;
  });
}

describe('quantize2bit: hand-computed bit patterns', () => {
  it('packs codes MSB pair first, bytes in memory order, and carries residuals over pushes', () => {
    const residual = zeros([5]);
    // r = 1.0 -> 11 (r 0.5); -0.5 -> 10 (r 0); 0.25 -> 00; -0.75 -> 10 (r -0.25); 0.5 -> 11 (r 0)
    const c1 = quantize2bit(f32([1.0, -0.5, 0.25, -0.75, 0.5]), residual, 0.5);
    expect(c1.shape).toEqual([1]);
    expect(c1.dtype).toBe('float32');
    expect(bytesOf(c1)).toEqual([0b11_10_00_10, 0b11_00_00_00, 0, 0]);
    expect(Array.from(values(residual))).toEqual([0.5, 0, 0.25, -0.25, 0]);

    // r = 0.5 -> 11 (0); 0 -> 00; 0.5 -> 11 (0); -0.5 -> 10 (0); -0.5 -> 10 (0)
    const c2 = quantize2bit(f32([0, 0, 0.25, -0.25, -0.5]), residual, 0.5);
    expect(bytesOf(c2)).toEqual([0b11_00_11_10, 0b10_00_00_00, 0, 0]);
    expect(Array.from(values(residual))).toEqual([0, 0, 0, 0, 0]);
  });

  it('removes at most one threshold per push, so a large value drains over several pushes', () => {
    const residual = zeros([1]);
    const codes: number[] = [];
    const left: number[] = [];
    for (const g of [2, 0, 0, 0, 0]) {
      codes.push(bytesOf(quantize2bit(f32([g]), residual, 0.5))[0]!);
      left.push(values(residual)[0]!);
    }
    expect(codes).toEqual([0xc0, 0xc0, 0xc0, 0xc0, 0x00]);
    expect(left).toEqual([1.5, 1, 0.5, 0, 0]);
  });

  it('keeps a value below the threshold as residual until it crosses (MXNet test_compress_kvstore)', () => {
    const residual = zeros([2]);
    expect(bytesOf(quantize2bit(f32([0.4, -0.4]), residual, 0.5))).toEqual([0, 0, 0, 0]);
    expect(Array.from(values(residual))).toEqual([Math.fround(0.4), Math.fround(-0.4)]);
    // 0.4 + 0.2 = 0.6 >= 0.5: 11 with 0.1 left; -0.4 - 0.2 <= -0.5: 10 with -0.1 left.
    expect(bytesOf(quantize2bit(f32([0.2, -0.2]), residual, 0.5))).toEqual([0b11_10_00_00, 0, 0, 0]);
    const r = values(residual);
    expect(r[0]).toBe(Math.fround(Math.fround(Math.fround(0.4) + Math.fround(0.2)) - 0.5));
    expect(r[1]).toBe(-r[0]!);
  });

  it('places value 15 in the low pair of byte 3 and value 16 in the next word (17 values)', () => {
    const g = new Array<number>(17).fill(0);
    g[15] = -1;
    g[16] = 1;
    const c = quantize2bit(f32(g), zeros([17]), 0.5);
    expect(c.shape).toEqual([2]);
    expect(bytesOf(c)).toEqual([0, 0, 0, 0x02, 0xc0, 0, 0, 0]);
  });

  it('fills a word of 16 positive codes with all ones (a NaN bit pattern, kept intact)', () => {
    const c = quantize2bit(f32(new Array<number>(16).fill(3)), zeros([16]), 1);
    expect(bytesOf(c)).toEqual([0xff, 0xff, 0xff, 0xff]);
    expect(Array.from(values(dequantize2bit(c, 1, [16])))).toEqual(new Array<number>(16).fill(1));
  });

  it('compares against the threshold inclusively and depends on its value', () => {
    const g = [0.25, -0.25, 1, -1, 2.5];
    expect(bytesOf(quantize2bit(f32(g), zeros([5]), 0.25))).toEqual([0b11_10_11_10, 0b11_00_00_00, 0, 0]);
    expect(bytesOf(quantize2bit(f32(g), zeros([5]), 1))).toEqual([0b00_00_11_10, 0b11_00_00_00, 0, 0]);
    expect(bytesOf(quantize2bit(f32(g), zeros([5]), 3))).toEqual([0, 0, 0, 0]);
  });

  it('works on any shape (flattened row-major) and on empty arrays', () => {
    const r = zeros([2, 3]);
    const c = quantize2bit(f32([1, 0, -1, 0, 0, 1], [2, 3]), r, 0.5);
    expect(bytesOf(c)).toEqual([0b11_00_10_00, 0b00_11_00_00, 0, 0]);
    const empty = quantize2bit(zeros([0, 4]), zeros([0, 4]), 0.5);
    expect(empty.shape).toEqual([0]);
    expect(dequantize2bit(empty, 0.5, [4, 0]).shape).toEqual([4, 0]);
  });
});

describe('dequantize2bit: hand-computed', () => {
  it('maps 11 to +t, 10 to -t and 00 / 01 to 0', () => {
    // byte 0: 11 10 01 00; byte 1: 00 01 10 11
    const c = wordsFrom([0b11_10_01_00, 0b00_01_10_11, 0, 0]);
    expect(Array.from(values(dequantize2bit(c, 0.5, [8])))).toEqual([0.5, -0.5, 0, 0, 0, 0, -0.5, 0.5]);
  });

  it('writes into an existing float32 array of any shape', () => {
    const out = zeros([2, 2]).fill(7);
    const c = wordsFrom([0b10_11_00_11, 0, 0, 0]);
    expect(dequantize2bit(c, 2, out)).toBe(out);
    expect(Array.from(values(out))).toEqual([-2, 2, 0, 2]);
  });

  it('ignores tail bits past the last value', () => {
    const c = wordsFrom([0b11_11_11_11, 0xff, 0xff, 0xff]);
    expect(Array.from(values(dequantize2bit(c, 0.5, [3])))).toEqual([0.5, 0.5, 0.5]);
  });
});

describe('quantize2bit / dequantize2bit against the reference', () => {
  const rng = makeRng(2024);
  // 100003 values are 6251 words: enough to split across the thread pool.
  const sizes = [1, 15, 16, 17, 31, 33, 250, 100_003];
  for (const threshold of [0.5, 0.1, 1.7]) {
    it(`threshold ${threshold}: compressed bytes, residuals and decoded values over 4 pushes`, () => {
      for (const n of sizes) {
        const residual = zeros([n]);
        const ref = new Float64Array(n);
        for (let push = 0; push < 4; push++) {
          const g = Float32Array.from(randomValues(rng, n, -threshold * 1.5, threshold * 1.5));
          const c = quantize2bit(fromTypedArray(g, [n]), residual, threshold);
          const want = referenceQuantize(g, ref, threshold);
          expect(c.shape).toEqual([compressedSize2bit(n)]);
          expect(bytesOf(c)).toEqual(want);
          expect(Array.from(values(residual))).toEqual(Array.from(ref));
          expect(Array.from(values(dequantize2bit(c, threshold, [n])))).toEqual(referenceDequantize(want, n, threshold));
        }
      }
    });
  }

  it('compressedSize2bit is ceil(n / 16)', () => {
    expect([0, 1, 16, 17, 32, 33].map(compressedSize2bit)).toEqual([0, 1, 1, 2, 2, 3]);
  });
});

describe('compression errors', () => {
  const g = (): NDArray => zeros([5]);

  it('quantize2bit rejects non-float32 operands', () => {
    expectError(() => quantize2bit(zeros([5], { dtype: 'float64' }), g(), 0.5), DTypeError, /quantize2bit: grad must be float32/);
    expectError(
      () => quantize2bit(g(), zeros([5], { dtype: 'float64' }), 0.5),
      DTypeError,
      /quantize2bit: residual must be float32/,
    );
  });

  it('quantize2bit rejects a residual of another shape, context or sharing grad memory', () => {
    expectError(
      () => quantize2bit(g(), zeros([6]), 0.5),
      ShapeError,
      /quantize2bit: residual has shape \(6,\) but grad has shape \(5,\)/,
    );
    expectError(() => quantize2bit(g(), zeros([5], { ctx: cpu(1) }), 0.5), ContextError, /quantize2bit/);
    const both = g();
    expectError(() => quantize2bit(both, both, 0.5), ValueError, /quantize2bit: residual must not share memory/);
  });

  it('quantize2bit and dequantize2bit need a positive finite threshold', () => {
    for (const t of [0, -0.5, Number.NaN, Number.POSITIVE_INFINITY, 1e-50]) {
      expectError(
        () => quantize2bit(g(), zeros([5]), t),
        ValueError,
        /quantize2bit: threshold must be a finite number greater than 0/,
      );
      expectError(() => dequantize2bit(zeros([1]), t, [5]), ValueError, /dequantize2bit: threshold/);
    }
  });

  it('a rejected quantize leaves the residual untouched', () => {
    const r = f32([0.1, 0.2, 0.3, 0.4, 0.5]);
    expectError(() => quantize2bit(f32([1, 1, 1, 1, 1]), r, 0), ValueError, /quantize2bit/);
    expect(Array.from(values(r))).toEqual([0.1, 0.2, 0.3, 0.4, 0.5].map(Math.fround));
  });

  it('dequantize2bit checks the word count, dtypes, contexts and aliasing', () => {
    expectError(
      () => dequantize2bit(zeros([2]), 0.5, [16]),
      ShapeError,
      /dequantize2bit: compressed has shape \(2,\) \(2 words\) but 16 values need ceil\(16 \/ 16\) = 1/,
    );
    expectError(
      () => dequantize2bit(zeros([1]), 0.5, zeros([17])),
      ShapeError,
      /dequantize2bit: .*17 values need ceil\(17 \/ 16\) = 2/,
    );
    expectError(
      () => dequantize2bit(zeros([1], { dtype: 'float64' }), 0.5, [4]),
      DTypeError,
      /dequantize2bit: compressed must be float32/,
    );
    expectError(
      () => dequantize2bit(zeros([1]), 0.5, zeros([4], { dtype: 'float64' })),
      DTypeError,
      /dequantize2bit: out must be float32/,
    );
    expectError(() => dequantize2bit(zeros([1]), 0.5, zeros([4], { ctx: cpu(1) })), ContextError, /dequantize2bit/);
    expectError(
      () => dequantize2bit(zeros([1]), 0.5, [-1, 4]),
      ShapeError,
      /dequantize2bit: shape \(-1, 4\) has a negative dimension at axis 0/,
    );
    expectError(() => dequantize2bit(zeros([1]), 0.5, [1.5]), ValueError, /dequantize2bit: shape must be an array of integers/);
    const buf = zeros([2]);
    const view = buf.slice(0, 1);
    expectError(() => dequantize2bit(view, 0.5, buf), ValueError, /dequantize2bit: out must not share memory with compressed/);
  });

  it('disposed arrays are a StateError naming the op', () => {
    const d = zeros([5]);
    d.dispose();
    expectError(() => quantize2bit(d, zeros([5]), 0.5), StateError, /quantize2bit/);
    const c = zeros([1]);
    c.dispose();
    expectError(() => dequantize2bit(c, 0.5, [5]), StateError, /dequantize2bit/);
  });

  it('outputs live on the inputs context', () => {
    const c = quantize2bit(zeros([20], { ctx: cpu(1) }), zeros([20], { ctx: cpu(1) }), 0.5);
    expect(c.context).toBe(cpu(1));
    expect(dequantize2bit(c, 0.5, [20]).context).toBe(cpu(1));
  });
});
