import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import {
  arange,
  cpu,
  CSRNDArray,
  type DType,
  DTYPE_CODES,
  FormatError,
  fromTypedArray,
  load,
  loadFromBuffer,
  memoryStats,
  NativeError,
  RowSparseNDArray,
  type NDArray,
  save,
  ShapeError,
  sparse,
  StateError,
  ValueError,
} from '../src/index.js';
import { makeRng, nd, sizeOf, values } from './helpers.js';
import {
  cat,
  csrRecord,
  f32,
  i32,
  i64,
  listFile,
  tshape,
  u32,
  u64,
  V1,
  V2,
  V3,
  v0Record,
  v1Record,
  v2Record,
  v3Record,
} from './params-bytes.js';

// ---- helpers ----

const dir = mkdtempSync(join(tmpdir(), 'bkt-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileCounter = 0;
const freshPath = (): string => join(dir, `f${fileCounter++}.params`);

function asList(r: NDArray[] | Record<string, NDArray>): NDArray[] {
  expect(Array.isArray(r)).toBe(true);
  return r as NDArray[];
}

function asDict(r: NDArray[] | Record<string, NDArray>): Record<string, NDArray> {
  expect(Array.isArray(r)).toBe(false);
  return r as Record<string, NDArray>;
}

function disposeAll(r: NDArray[] | Record<string, NDArray>): void {
  for (const a of Array.isArray(r) ? r : Object.values(r)) a.dispose();
}

function expectFormatError(fn: () => unknown, pattern: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(FormatError);
  expect((caught as Error).message).toMatch(/^load /);
  expect((caught as Error).message).toMatch(pattern);
}

const tmpLeftovers = (d: string): string[] => readdirSync(d).filter((f) => f.includes('.tmp-'));

/** Integer-valued data that every dtype (float16 included) represents exactly. */
function valuesFor(dtype: DType, n: number, rng: () => number): number[] {
  return Array.from({ length: n }, () => {
    const r = rng();
    switch (dtype) {
      case 'bool':
        return r < 0.5 ? 0 : 1;
      case 'uint8':
        return Math.floor(r * 256);
      case 'int8':
        return Math.floor(r * 256) - 128;
      case 'float16':
        return Math.round(r * 4000 - 2000) / 4;
      case 'float32':
      case 'float64':
        return r * 2e6 - 1e6;
      default:
        return Math.floor(r * 2e6) - 1e6;
    }
  });
}

const ALL_DTYPES = Object.keys(DTYPE_CODES) as DType[];

// ---- tests ----

describe('save/load round trip', () => {
  it('keeps every dtype, shape (0-size included) and value', () => {
    const rng = makeRng(7);
    const shapes = [[5], [2, 3], [0], [3, 0, 2], [1, 1, 1, 1], [2, 1, 3, 1, 2]];
    for (const dtype of ALL_DTYPES) {
      const originals = shapes.map((s) => nd(valuesFor(dtype, sizeOf(s), rng), s, dtype));
      const path = freshPath();
      save(path, originals);
      const loaded = asList(load(path));
      expect(loaded.length).toBe(originals.length);
      loaded.forEach((a, i) => {
        const o = originals[i]!;
        expect(a.dtype).toBe(dtype);
        expect(a.shape).toEqual(o.shape);
        expect(a.context.equals(cpu(0))).toBe(true);
        expect(values(a)).toEqual(values(o));
      });
      disposeAll(loaded);
      disposeAll(originals);
    }
  });

  it('keeps full-precision float64 and int64 bits', () => {
    const f = fromTypedArray(Float64Array.from([Math.PI, -0, 1e-310, Number.MAX_VALUE, Infinity, NaN]), [6]);
    const big = fromTypedArray(BigInt64Array.from([2n ** 62n + 1n, -(2n ** 63n), 0n]), [3]);
    const path = freshPath();
    save(path, { f, big });
    const d = asDict(load(path));
    expect(Array.from(d.f!.toTypedArray() as Float64Array)).toEqual([Math.PI, -0, 1e-310, Number.MAX_VALUE, Infinity, NaN]);
    expect(Object.is((d.f!.toTypedArray() as Float64Array)[1], -0)).toBe(true);
    expect(Array.from(d.big!.toTypedArray() as BigInt64Array)).toEqual([2n ** 62n + 1n, -(2n ** 63n), 0n]);
    disposeAll(d);
    f.dispose();
    big.dispose();
  });

  it('returns a list for a list and a dict with the names untouched for a dict', () => {
    const a = nd([1, 2], [2]);
    const b = nd([3, 4, 5], [3], 'int32');
    const listPath = freshPath();
    save(listPath, [a, b]);
    const list = asList(load(listPath));
    expect(list.map((x) => x.toArray())).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
    disposeAll(list);

    const names = ['arg:fc1_weight', 'aux:bn0_moving_mean', 'arg:权重', '', '__proto__', 'a b\u0000c'];
    const dict: Record<string, NDArray> = {};
    names.forEach((n, i) => Object.defineProperty(dict, n, { value: nd([i], [1]), enumerable: true }));
    const dictPath = freshPath();
    save(dictPath, dict);
    const back = asDict(load(dictPath));
    expect(Object.keys(back)).toEqual(names);
    names.forEach((n, i) => expect(back[n]!.toArray()).toEqual([i]));
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    disposeAll(back);
    disposeAll(dict);
    a.dispose();
    b.dispose();
  });

  it('loads an empty list, and an empty dict, as []', () => {
    for (const data of [[], {}]) {
      const path = freshPath();
      save(path, data);
      expect(readFileSync(path)).toEqual(Buffer.from(listFile([])));
      expect(load(path)).toEqual([]);
    }
  });

  it('refuses 0-d arrays (V2 ndim 0 means "none") and leaves the old file in place', () => {
    const path = freshPath();
    const old = nd([9], [1]);
    save(path, [old]);
    const one = nd([5], [1]);
    const scalar = one.reshape([]);
    expect(scalar.shape).toEqual([]);
    expect(() => save(path, { 'arg:s': scalar })).toThrow(ShapeError);
    expect(() => save(path, { 'arg:s': scalar })).toThrow(/save: array 'arg:s' \(index 0\) is 0-d/);
    const back = asList(load(path));
    expect(back[0]!.toArray()).toEqual([9]);
    expect(tmpLeftovers(dir)).toEqual([]);
    disposeAll(back);
    scalar.dispose();
    one.dispose();
    old.dispose();
  });

  it('raises StateError for a disposed array and ValueError for a non-array', () => {
    const a = nd([1], [1]);
    a.dispose();
    expect(() => save(freshPath(), [a])).toThrow(StateError);
    expect(() => save(freshPath(), [42 as unknown as NDArray])).toThrow(ValueError);
    expect(() => save(freshPath(), { w: {} as NDArray })).toThrow(/save: array 'w' is not an NDArray/);
  });
});

describe('byte layout', () => {
  it('writes exactly the V2 bytes of the spec (header, records, context, names)', () => {
    const w = fromTypedArray(Float32Array.from([0, 1, 2, 3, 4, 5]), [2, 3]);
    const m = fromTypedArray(Int32Array.from([7, -1]), [2], { ctx: cpu(1) });
    const path = freshPath();
    save(path, { 'arg:w': w, 'aux:m': m });
    const expected = cat(
      u64(0x112),
      u64(0),
      u64(2),
      u32(0xf993fac9),
      i32(0),
      i32(2),
      i64(2),
      i64(3),
      i32(1),
      i32(0),
      i32(0),
      f32([0, 1, 2, 3, 4, 5]),
      u32(0xf993fac9),
      i32(0),
      i32(1),
      i64(2),
      i32(1),
      i32(1),
      i32(4),
      Buffer.from(Int32Array.from([7, -1]).buffer),
      u64(2),
      u64(5),
      Buffer.from('arg:w'),
      u64(5),
      Buffer.from('aux:m'),
    );
    expect(new Uint8Array(readFileSync(path))).toEqual(expected);
    // The same arrays saved as a list: identical records, name count 0.
    save(path, [w, m]);
    expect(new Uint8Array(readFileSync(path))).toEqual(cat(expected.subarray(0, expected.length - 34), u64(0)));
    w.dispose();
    m.dispose();
  });

  it('writes float16 as its raw half bits', () => {
    const h = nd([1, -2, 0.5], [3], 'float16');
    const path = freshPath();
    save(path, [h]);
    const bytes = readFileSync(path);
    expect(bytes.readInt32LE(24 + 4 + 4 + 4 + 8 + 8)).toBe(2);
    expect([0, 1, 2].map((i) => bytes.readUInt16LE(24 + 32 + 2 * i))).toEqual([0x3c00, 0xc000, 0x3800]);
    h.dispose();
  });
});

describe('reading every record version', () => {
  it('reads the legacy_ndarray.v0 fixture: six V0 arange(128) records, 3224 bytes', () => {
    const rec = v0Record({ shape: [128], data: f32(Array.from({ length: 128 }, (_, i) => i)) });
    const bytes = listFile(Array.from({ length: 6 }, () => rec));
    expect(rec.length).toBe(532);
    expect(bytes.length).toBe(3224);
    const arrays = asList(loadFromBuffer(bytes));
    expect(arrays.length).toBe(6);
    for (const a of arrays) {
      expect(a.shape).toEqual([128]);
      expect(a.dtype).toBe('float32');
      expect(a.toArray()).toEqual(Array.from({ length: 128 }, (_, i) => i));
    }
    disposeAll(arrays);
  });

  it('reads V1 (int64 dims, no storage type) and V0 "none" records', () => {
    const bytes = listFile(
      [
        v1Record({ shape: [2, 2], dtype: 1, data: Buffer.from(Float64Array.from([1.5, 2.5, 3.5, 4.5]).buffer) }),
        u32(0), // V0 ndim 0: a none array, nothing follows
        v1Record({ shape: [3], dtype: 3, data: Buffer.from([7, 8, 255]) }),
      ],
      ['arg:a', 'arg:none', 'aux:b'],
    );
    const d = asDict(loadFromBuffer(bytes));
    expect(d['arg:a']!.dtype).toBe('float64');
    expect(d['arg:a']!.shape).toEqual([2, 2]);
    expect(d['arg:a']!.toArray()).toEqual([1.5, 2.5, 3.5, 4.5]);
    expect(d['arg:none']!.shape).toEqual([0]);
    expect(d['arg:none']!.dtype).toBe('float32');
    expect(d['aux:b']!.dtype).toBe('uint8');
    expect(d['aux:b']!.toArray()).toEqual([7, 8, 255]);
    disposeAll(d);
  });

  it('reads V3 records: 0-d scalars, unknown shapes as none, zero-size dims as real', () => {
    const bytes = listFile([
      v3Record({ shape: [], dtype: 0, data: f32([42]) }),
      cat(u32(V3), i32(0), i32(-1)), // unknown ndim: none
      cat(u32(V3), i32(0), tshape([2, -1])), // unknown dim: none
      v3Record({ shape: [2, 0], dtype: 6, data: new Uint8Array(0) }),
      v3Record({ shape: [2], dtype: 6, data: Buffer.from(BigInt64Array.from([-5n, 6n]).buffer) }),
    ]);
    const [scalar, none1, none2, empty, ints] = asList(loadFromBuffer(bytes));
    expect(scalar!.shape).toEqual([]);
    expect(scalar!.asScalar()).toBe(42);
    expect(none1!.shape).toEqual([0]);
    expect(none2!.shape).toEqual([0]);
    expect(empty!.shape).toEqual([2, 0]);
    expect(empty!.dtype).toBe('int64');
    expect(ints!.toArray()).toEqual([-5, 6]);
    disposeAll([scalar!, none1!, none2!, empty!, ints!]);
  });

  it('reads V2 none records (ndim 0, or -1) and puts every device on cpu(0)', () => {
    const bytes = listFile([
      cat(u32(V2), i32(-1), i32(0)),
      cat(u32(V2), i32(0), i32(-1)),
      v2Record({ shape: [2], devType: 2, devId: 3, data: f32([1, 2]) }),
      v2Record({ shape: [1], devType: 3, devId: 1, data: f32([3]) }),
      v2Record({ shape: [1], devType: 5, devId: 0, data: f32([4]) }),
    ]);
    const arrays = asList(loadFromBuffer(bytes));
    expect(arrays.map((a) => a.shape)).toEqual([[0], [0], [2], [1], [1]]);
    for (const a of arrays) expect(a.context.equals(cpu(0))).toBe(true);
    expect(arrays[2]!.toArray()).toEqual([1, 2]);
    disposeAll(arrays);
  });

  it('normalises bool bytes to 0/1 and keeps the last array of a repeated name', () => {
    const bytes = listFile(
      [v2Record({ shape: [4], dtype: 7, data: Buffer.from([0, 1, 2, 255]) }), v2Record({ shape: [1], data: f32([5]) })],
      ['x', 'x'],
    );
    const before = memoryStats().liveHandles;
    const d = asDict(loadFromBuffer(bytes));
    expect(Object.keys(d)).toEqual(['x']);
    expect(d.x!.toArray()).toEqual([5]);
    expect(memoryStats().liveHandles).toBe(before + 1); // the shadowed array was disposed
    disposeAll(d);
    const b = asList(loadFromBuffer(listFile([v2Record({ shape: [4], dtype: 7, data: Buffer.from([0, 1, 2, 255]) })])));
    expect(b[0]!.toArray()).toEqual([0, 1, 1, 1]);
    disposeAll(b);
  });

  it('honours the byteOffset of a Uint8Array view', () => {
    const file = listFile([v2Record({ shape: [2], data: f32([1, 2]) })]);
    const host = new Uint8Array(file.length + 10).fill(0xee);
    host.set(file, 5);
    const arrays = asList(loadFromBuffer(host.subarray(5, 5 + file.length)));
    expect(arrays[0]!.toArray()).toEqual([1, 2]);
    disposeAll(arrays);
  });
});

describe('sparse records', () => {
  // row_sparse (4, 3) with row 2 stored: storage shape (1, 3), one int64 aux (row indices).
  const rowSparse = cat(
    u32(V2),
    i32(1),
    tshape([1, 3]),
    tshape([4, 3]),
    i32(1),
    i32(0),
    i32(0),
    i32(6),
    tshape([1]),
    f32([1, 2, 3]),
    i64(2),
  );
  // csr (2, 3) = [[1, 0, 0], [0, 0, 2]]: storage shape (2,), aux indptr (3,) then indices (2,).
  const csr = csrRecord(V2);

  it('loads row_sparse and csr records as RowSparseNDArray and CSRNDArray', () => {
    const [r, c] = asList(loadFromBuffer(listFile([rowSparse, csr])));
    expect(r).toBeInstanceOf(RowSparseNDArray);
    expect(r!.shape).toEqual([4, 3]);
    expect((r as RowSparseNDArray).indices.toArray()).toEqual([2]);
    expect(r!.toArray()).toEqual([0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 0]);
    expect(c).toBeInstanceOf(CSRNDArray);
    expect(c!.toArray()).toEqual([1, 0, 0, 0, 0, 2]);
    disposeAll([r!, c!]);
  });

  it('writes sparse arrays as MXNet sparse V2 records, byte for byte', () => {
    const path = freshPath();
    const r = sparse.rowSparseArray([[1, 2, 3], [2]], [4, 3]);
    const c = sparse.csrMatrix(
      [
        [1, 2],
        [0, 2],
        [0, 1, 2],
      ],
      [2, 3],
    );
    save(path, { r, c });
    expect(new Uint8Array(readFileSync(path))).toEqual(listFile([rowSparse, csr], ['r', 'c']));
    const back = asDict(load(path));
    expect(back['c']!.stype).toBe('csr');
    expect(back['r']!.toArray()).toEqual(r.toArray());
    disposeAll(back);
  });

  it('refuses a malformed sparse record with FormatError', () => {
    const badIndex = csrRecord(V2, 7);
    expectFormatError(
      () => loadFromBuffer(listFile([badIndex])),
      /at byte 24 \(array 0\): csr array of shape \(2, 3\): .*column index 7/,
    );
    const int32Aux = cat(
      u32(V2),
      i32(1),
      tshape([1, 3]),
      tshape([4, 3]),
      i32(1),
      i32(0),
      i32(0),
      i32(4),
      tshape([1]),
      f32([1, 2, 3]),
      i32(2),
    );
    expectFormatError(() => loadFromBuffer(listFile([int32Aux])), /sparse aux arrays must be int64/);
  });

  it('reports a truncated sparse record as truncated', () => {
    const header = cat(u64(0x112), u64(0), u64(1));
    expectFormatError(
      () => loadFromBuffer(cat(header, csr.subarray(0, csr.length - 8))),
      /at byte 140 \(array 0\): the int64 data of shape \(2,?\): 16 bytes needed, only 8 left/,
    );
    expectFormatError(() => loadFromBuffer(cat(header, rowSparse.subarray(0, 30))), /truncated/);
  });
});

describe('corrupt input', () => {
  const good = (): Uint8Array =>
    listFile(
      [
        v2Record({ shape: [2, 3], data: f32([0, 1, 2, 3, 4, 5]) }),
        v2Record({ shape: [3], dtype: 4, data: Buffer.from(Int32Array.from([1, 2, 3]).buffer) }),
      ],
      ['arg:w', 'aux:b'],
    );

  it('raises FormatError for every proper prefix of a valid file', () => {
    const bytes = good();
    for (let len = 0; len < bytes.length; len++) {
      expect(() => loadFromBuffer(bytes.slice(0, len)), `prefix of ${len} bytes`).toThrow(FormatError);
    }
    disposeAll(loadFromBuffer(bytes));
  });

  it('names the offset and the problem', () => {
    const firstDType = 24 + 4 + 4 + 4 + 16 + 8;
    const cases: [Uint8Array, RegExp][] = [
      [cat(u64(0x113), u64(0), u64(0), u64(0)), /<buffer>: at byte 0 \(header\): not an MXNet NDArray list file \(header 0x113/],
      [listFile([u32(0xdeadbeef)]), /at byte 24 \(array 0\): unknown record magic 0xdeadbeef/],
      [listFile([v2Record({ shape: [1], dtype: 8, data: Buffer.alloc(2) })]), /dtype code 8 \(int16\) is not supported/],
      [listFile([v2Record({ shape: [1], dtype: 11, data: Buffer.alloc(8) })]), /dtype code 11 \(uint64\) is not supported/],
      [listFile([v2Record({ shape: [1], dtype: 99, data: Buffer.alloc(4) })]), /unknown dtype code 99/],
      [listFile([v2Record({ shape: [1], dtype: -1, data: Buffer.alloc(4) })]), /unknown dtype code -1/],
      [
        listFile([v2Record({ shape: [2, 3], dtype: 9, data: Buffer.alloc(12) })]),
        new RegExp(`at byte ${firstDType} \\(array 0\\)`),
      ],
      [listFile([v2Record({ shape: [1], devType: 4, data: f32([1]) })]), /unknown context device type 4/],
      [listFile([v2Record({ shape: [1], devId: -2, data: f32([1]) })]), /negative context device id -2/],
      [listFile([cat(u32(V2), i32(7), tshape([1]))]), /at byte 28 \(array 0\): unknown storage type 7/],
      [listFile([cat(u32(V2), i32(0), tshape([2, -3]))]), /the shape dim 1 is negative \(-3\)/],
      [listFile([cat(u32(V2), i32(0), i32(33))]), /the shape has 33 dimensions/],
      [listFile([cat(u32(V2), i32(0), i32(-2))]), /the shape has -2 dimensions/],
      [listFile([cat(u32(V1), tshape([2, -1]))]), /negative \(-1\)/],
      [listFile([u32(33)]), /unknown record magic 0x21/],
      [
        cat(u64(0x112), u64(0), u64(1), v2Record({ shape: [1], data: f32([1]) }), u64(2)),
        /\(names\): the file has 1 arrays but 2 names/,
      ],
      [cat(listFile([]), Buffer.from([1, 2, 3])), /at byte 32: 3 unexpected bytes after the names/],
      [cat(u64(0x112), u64(0), u64(0), u64(0), u64(0)), /8 unexpected bytes/],
      [
        cat(u64(0x112), u64(0), u64(1), v2Record({ shape: [1], data: f32([1]) }), u64(1), u64(10), Buffer.from('abc')),
        /\(name 0\): the name: 10 bytes needed, only 3 left/,
      ],
      [cat(u64(0x112), u64(0), u64(1), u32(0), u64(1), u64(2n ** 62n)), /\(name 0\): the name: 4611686018427387904 bytes needed/],
    ];
    for (const [bytes, pattern] of cases) expectFormatError(() => loadFromBuffer(bytes), pattern);
  });

  it('validates counts and sizes before allocating anything', () => {
    const before = memoryStats().totalAllocations;
    const t0 = performance.now();
    const cases: [Uint8Array, RegExp][] = [
      [cat(u64(0x112), u64(0), u64(2n ** 63n), u64(0)), /the array count 9223372036854775808 cannot fit in the 8 bytes/],
      [cat(u64(0x112), u64(0), u64(2n ** 64n - 1n)), /array count/],
      [listFile([cat(u32(V2), i32(0), tshape([2 ** 40, 2 ** 40]))]), /more than 2\^53 elements/],
      [listFile([cat(u32(V2), i32(0), tshape([0, 2 ** 60]))]), /more than 2\^53 elements/],
      [
        listFile([cat(u32(V2), i32(0), tshape([2 ** 31]), i32(1), i32(0), i32(1))]),
        /the float64 data of shape \(2147483648,\): 17179869184 bytes needed, only 8 left/,
      ],
      [listFile([cat(u32(1), u32(4294967295), i32(1), i32(0), i32(0))]), /: 17179869180 bytes needed/],
    ];
    for (const [bytes, pattern] of cases) expectFormatError(() => loadFromBuffer(bytes), pattern);
    expect(memoryStats().totalAllocations).toBe(before);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('names the file on disk in format errors and raises NativeError for unreadable paths', () => {
    const path = freshPath();
    writeFileSync(path, good().subarray(0, 40));
    expectFormatError(
      () => load(path),
      new RegExp(
        `^load '${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}': at byte 36 \\(array 0\\): the shape dims: 16 bytes needed`,
      ),
    );
    expect(() => load(join(dir, 'nope.params'))).toThrow(NativeError);
    expect(() => load(join(dir, 'nope.params'))).toThrow(/load '.*nope\.params': cannot open: No such file or directory/);
    expect(() => load(dir)).toThrow(/is a directory/);
    expect(() => load(`${dir}/a\u0000b`)).toThrow(ValueError);
  });
});

describe('atomic writes', () => {
  it('throws NativeError into a missing directory and leaves no temporary file', () => {
    const a = arange(4);
    const target = join(dir, 'missing', 'x.params');
    expect(() => save(target, [a])).toThrow(NativeError);
    expect(() => save(target, [a])).toThrow(
      /save '.*missing\/x\.params': cannot create the temporary file .*No such file or directory/,
    );
    expect(tmpLeftovers(dir)).toEqual([]);
    a.dispose();
  });

  it('replaces an existing file whole and leaves no temporary file', () => {
    const sub = mkdtempSync(join(dir, 'over-'));
    const path = join(sub, 'model-0001.params');
    const a = arange(1000);
    const b = arange(3, undefined, 1, { dtype: 'int32' });
    save(path, { 'arg:w': a });
    const oldBytes = readFileSync(path);
    save(path, { 'arg:w': b });
    expect(readdirSync(sub)).toEqual(['model-0001.params']);
    const d = asDict(load(path));
    expect(d['arg:w']!.toArray()).toEqual([0, 1, 2]);
    expect(d['arg:w']!.dtype).toBe('int32');
    disposeAll(d);
    expect(readFileSync(path).length).toBeLessThan(oldBytes.length);
    a.dispose();
    b.dispose();
  });

  it('cleans up when the final rename fails (target is a directory)', () => {
    const sub = mkdtempSync(join(dir, 'ren-'));
    const target = join(sub, 'taken');
    mkdirSync(target);
    const a = arange(4);
    expect(() => save(target, [a])).toThrow(NativeError);
    expect(() => save(target, [a])).toThrow(/cannot rename/);
    expect(readdirSync(sub)).toEqual(['taken']);
    expect(statSync(target).isDirectory()).toBe(true);
    a.dispose();
  });
});
