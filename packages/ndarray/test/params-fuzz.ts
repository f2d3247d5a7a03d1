// The .params fuzzer: seeded mutations of a small file that holds every record version, a none
// record, a zero-size array and sparse records. Each case must load (and its arrays must read back)
// or raise FormatError, within a time bound, and leave no handle or storage behind. It runs in a
// child process (bench/fuzz-params.ts), so a crash is seen as a crash: params-fuzz.test.ts runs a
// few thousand cases; `pnpm fuzz:params` runs as many as asked.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { type BaseSparseNDArray, FormatError, load, loadFromBuffer, memoryStats, type NDArray } from '../src/index.js';
import {
  cat,
  csrRecord,
  f32,
  i32,
  i64,
  listFile,
  tshape,
  u32,
  V2,
  V3,
  v0Record,
  v1Record,
  v2Record,
  v3Record,
} from './params-bytes.js';
import { makeRng } from './rng.js';

/** Where a record's shape lives: the ndim word and each dim, with their widths in bytes. */
interface ShapeField {
  ndimAt: number;
  ndimBytes: 4;
  dimsAt: number[];
  dimBytes: 4 | 8;
}

interface Corpus {
  bytes: Uint8Array;
  shapes: ShapeField[];
}

// Record builders with the offset of the shape inside the record (see params-bytes.ts for layouts).
function baseCorpus(): Corpus {
  const records: [Uint8Array, (start: number) => ShapeField][] = [];
  const dims8 =
    (ndimOff: number, n: number) =>
    (start: number): ShapeField => ({
      ndimAt: start + ndimOff,
      ndimBytes: 4,
      dimsAt: Array.from({ length: n }, (_, k) => start + ndimOff + 4 + 8 * k),
      dimBytes: 8,
    });
  records.push([v2Record({ shape: [2, 3], data: f32([0, 1, 2, 3, 4, 5]) }), dims8(8, 2)]);
  records.push([v1Record({ shape: [2], dtype: 1, data: Buffer.from(Float64Array.from([1, 2]).buffer) }), dims8(4, 1)]);
  records.push([
    v0Record({ shape: [3], dtype: 4, data: Buffer.from(Int32Array.from([1, 2, 3]).buffer) }),
    (start) => ({ ndimAt: start, ndimBytes: 4, dimsAt: [start + 4], dimBytes: 4 }),
  ]);
  records.push([v3Record({ shape: [], dtype: 2, data: Buffer.from([0, 0x3c]) }), dims8(8, 0)]);
  records.push([cat(u32(V2), i32(-1), i32(0)), dims8(8, 0)]);
  records.push([v2Record({ shape: [0, 4], dtype: 6, data: new Uint8Array(0) }), dims8(8, 2)]);
  // row_sparse (4, 3), row 2 stored; the dense shape follows the storage shape (1, 3).
  records.push([
    cat(u32(V2), i32(1), tshape([1, 3]), tshape([4, 3]), i32(1), i32(0), i32(0), i32(6), tshape([1]), f32([1, 2, 3]), i64(2)),
    (start) => ({ ndimAt: start + 28, ndimBytes: 4, dimsAt: [start + 32, start + 40], dimBytes: 8 }),
  ]);
  // csr (2, 3) = [[1, 0, 0], [0, 0, 2]]
  records.push([csrRecord(V3), (start) => ({ ndimAt: start + 20, ndimBytes: 4, dimsAt: [start + 24, start + 32], dimBytes: 8 })]);
  const bytes = listFile(
    records.map(([r]) => r),
    ['arg:a', 'arg:b', 'aux:c', 'aux:d', 'e', 'f', 'g', 'h'],
  );
  const shapes: ShapeField[] = [];
  let at = 24;
  for (const [r, field] of records) {
    shapes.push(field(at));
    at += r.length;
  }
  return { bytes, shapes };
}

// Dims that overflow a product, exceed 2^53, or are negative, as int64 bit patterns.
const HUGE_DIMS = [2n ** 31n, 2n ** 32n, 2n ** 32n + 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 62n, 2n ** 63n - 1n, -1n, -(2n ** 63n)];
const ODD_NDIMS = [32, 33, 64, 255, 2 ** 31 - 1, -1, -2, -(2 ** 31)];

function mutate(corpus: Corpus, rng: () => number): Uint8Array {
  const pick = (n: number): number => Math.floor(rng() * n);
  const b = Buffer.from(corpus.bytes);
  const field = corpus.shapes[pick(corpus.shapes.length)]!;
  switch (pick(8)) {
    case 0: {
      for (let k = 1 + pick(4); k > 0; k--) b[pick(b.length)] = pick(256);
      return b;
    }
    case 1: {
      const at = pick(b.length + 1);
      return cat(b.subarray(0, at), Buffer.from(Array.from({ length: 1 + pick(8) }, () => pick(256))), b.subarray(at));
    }
    case 2: {
      const at = pick(b.length);
      return cat(b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + pick(8))));
    }
    case 3:
      return b.subarray(0, pick(b.length));
    case 4: {
      // A plausible-looking but wrong count or dim: the fields that drive allocation.
      const at = pick(b.length - 8);
      const special = [0, 1, 0xff, 0x7f, 0x80][pick(5)]!;
      for (let k = 0; k < 1 + pick(8); k++) b[at + k] = special;
      return b;
    }
    case 5: {
      // One dim of a shape set to a huge or negative value (several, half the time).
      if (field.dimsAt.length === 0) return b;
      for (let k = rng() < 0.5 ? 1 : field.dimsAt.length; k > 0; k--) {
        const at = field.dimsAt[pick(field.dimsAt.length)]!;
        const v = HUGE_DIMS[pick(HUGE_DIMS.length)]!;
        if (field.dimBytes === 8) b.writeBigInt64LE(v, at);
        else b.writeUInt32LE(Number(BigInt.asUintN(32, v)), at);
      }
      return b;
    }
    case 6: {
      b.writeInt32LE(ODD_NDIMS[pick(ODD_NDIMS.length)]!, field.ndimAt);
      return b;
    }
    default: {
      // Many dims: the shape replaced by up to 32 dims whose product overflows int64 (4^32 = 2^64).
      const n = 17 + pick(16);
      const dim = [2, 3, 4, 255, 65536][pick(5)]!;
      const wide = field.dimBytes === 8;
      const shape = cat(i32(n), ...Array.from({ length: n }, () => (wide ? i64(dim) : u32(dim))));
      const end = field.dimsAt.length > 0 ? field.dimsAt.at(-1)! + field.dimBytes : field.ndimAt + 4;
      return cat(b.subarray(0, field.ndimAt), shape, b.subarray(end));
    }
  }
}

export interface FuzzOptions {
  seed: number;
  /** Cases [from, from + cases): case i depends only on (seed, i), so one case can be replayed alone. */
  from?: number;
  cases: number;
  /** A case slower than this fails. */
  maxCaseMs: number;
  /** Every n-th case goes through a file in `dir` (load) instead of loadFromBuffer; 0 for never. */
  fileEvery?: number;
  dir?: string;
}

export interface FuzzSummary {
  cases: number;
  loaded: number;
  rejected: number;
  slowestMs: number;
  failures: string[];
}

function readBack(result: NDArray[] | Record<string, NDArray>): void {
  for (const a of Array.isArray(result) ? result : Object.values(result)) {
    // Sparse arrays are read through their parts: their dense form may legitimately be huge.
    const parts = a.stype === 'default' ? [a] : (a as BaseSparseNDArray).parts;
    for (const p of parts) {
      if (p.toTypedArray().length !== p.size) throw new Error(`array ${p} read back ${p.toTypedArray().length} values`);
    }
    a.dispose();
  }
}

export function runParamsFuzz(opts: FuzzOptions): FuzzSummary {
  const corpus = baseCorpus();
  const from = opts.from ?? 0;
  const summary: FuzzSummary = { cases: 0, loaded: 0, rejected: 0, slowestMs: 0, failures: [] };
  const baseline = memoryStats();
  for (let i = from; i < from + opts.cases; i++) {
    const rng = makeRng((opts.seed ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0);
    const bytes = mutate(corpus, rng);
    const viaFile = opts.fileEvery !== undefined && opts.fileEvery > 0 && opts.dir !== undefined && i % opts.fileEvery === 0;
    const t0 = performance.now();
    try {
      if (viaFile) {
        const path = join(opts.dir!, `case-${i}.params`);
        writeFileSync(path, bytes);
        try {
          readBack(load(path));
        } finally {
          rmSync(path, { force: true });
        }
      } else {
        readBack(loadFromBuffer(bytes));
      }
      summary.loaded++;
    } catch (e) {
      if (e instanceof FormatError) summary.rejected++;
      else summary.failures.push(`case ${i}: ${(e as Error).name}: ${(e as Error).message}`);
    }
    const ms = performance.now() - t0;
    summary.slowestMs = Math.max(summary.slowestMs, ms);
    if (ms > opts.maxCaseMs) summary.failures.push(`case ${i}: took ${ms.toFixed(0)} ms (limit ${opts.maxCaseMs})`);
    summary.cases++;
  }
  const after = memoryStats();
  if (after.liveHandles !== baseline.liveHandles || after.liveStorages !== baseline.liveStorages) {
    summary.failures.push(
      `leak: ${after.liveHandles - baseline.liveHandles} handles and ${after.liveStorages - baseline.liveStorages} storages left`,
    );
  }
  return summary;
}
