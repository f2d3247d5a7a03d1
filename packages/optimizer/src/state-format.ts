// The updater's state file: bkt's own binary layout (no pickle, no JSON of floats), so a saved run
// resumes bit for bit. All numbers are little-endian.
//
//   magic        8 bytes  "BKTOPTST"
//   version      u32      1
//   optimizer    str      the registered optimizer name, e.g. "adam"
//   counts       u32 n, then n × (key, f64)       update count of each parameter (_index_update_count)
//   scalars      u32 n, then n × (str, f64)       optimizer numbers: lr, numUpdate, mSchedule,
//                                                 lrScheduler.baseLr, lrScheduler.count ...
//   entries      u32 n, then n × entry            the per-parameter states
//     entry      key, u8 hasMaster, u32 arrays, then (hasMaster + arrays) × array
//                                                 (the float32 master weight first when present)
//     array      u8 dtype (MXNet's code), u8 ndim, ndim × i64 dims, the raw element bytes
//   key          u8 kind (0: number, 1: string), then f64 or str
//   str          u32 byte length, UTF-8 bytes
import {
  type DType,
  DTYPE_BYTES,
  DTYPE_CODES,
  DTypeError,
  FormatError,
  fromTypedArray,
  type NDArray,
  viewBytesAs,
} from '@bkt/ndarray';

import type { OptimizerState, ParamKey } from './optimizer.js';

export interface SavedStates {
  optimizer: string;
  counts: Array<[ParamKey, number]>;
  scalars: Array<[string, number]>;
  entries: Array<[ParamKey, OptimizerState]>;
}

const MAGIC = 'BKTOPTST';
const VERSION = 1;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const CODE_TO_DTYPE = new Map<number, DType>(Object.entries(DTYPE_CODES).map(([k, v]) => [v, k as DType]));

class Writer {
  #buf = new Uint8Array(1024);
  #view = new DataView(this.#buf.buffer);
  #len = 0;

  private reserve(n: number): number {
    if (this.#len + n > this.#buf.length) {
      const bigger = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + n));
      bigger.set(this.#buf.subarray(0, this.#len));
      this.#buf = bigger;
      this.#view = new DataView(bigger.buffer);
    }
    const at = this.#len;
    this.#len += n;
    return at;
  }

  // Each writer reserves before touching #buf / #view: growing replaces both, and `this.#view.setX(
  // this.reserve(n), ...)` would read the old view before the call.
  u8(v: number): void {
    const at = this.reserve(1);
    this.#view.setUint8(at, v);
  }
  u32(v: number): void {
    const at = this.reserve(4);
    this.#view.setUint32(at, v, true);
  }
  i64(v: number): void {
    const at = this.reserve(8);
    this.#view.setBigInt64(at, BigInt(v), true);
  }
  f64(v: number): void {
    const at = this.reserve(8);
    this.#view.setFloat64(at, v, true);
  }
  bytes(b: Uint8Array): void {
    const at = this.reserve(b.length);
    this.#buf.set(b, at);
  }
  str(s: string): void {
    const b = encoder.encode(s);
    this.u32(b.length);
    this.bytes(b);
  }
  key(k: ParamKey): void {
    if (typeof k === 'number') {
      this.u8(0);
      this.f64(k);
    } else {
      this.u8(1);
      this.str(k);
    }
  }
  array(a: NDArray): void {
    if (a.dtype === 'float16' || a.dtype === 'bfloat16')
      throw new DTypeError(`getStates: a ${a.dtype} state array ${a} cannot be saved; keep states in float32`);
    this.u8(DTYPE_CODES[a.dtype]);
    this.u8(a.ndim);
    for (const d of a.shape) this.i64(d);
    const data = a.toTypedArray();
    this.bytes(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  result(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

class Reader {
  readonly #view: DataView;
  #at = 0;

  constructor(readonly bytes: Uint8Array) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private take(n: number, what: string): number {
    if (n > this.bytes.length - this.#at) {
      throw new FormatError(`setStates: the state bytes end at ${this.bytes.length} while reading ${what} at byte ${this.#at}`);
    }
    const at = this.#at;
    this.#at += n;
    return at;
  }

  get offset(): number {
    return this.#at;
  }
  get remaining(): number {
    return this.bytes.length - this.#at;
  }
  u8(what: string): number {
    return this.#view.getUint8(this.take(1, what));
  }
  u32(what: string): number {
    return this.#view.getUint32(this.take(4, what), true);
  }
  i64(what: string): number {
    const v = this.#view.getBigInt64(this.take(8, what), true);
    if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER))
      throw new FormatError(`setStates: ${what} ${v} at byte ${this.#at - 8} is out of range`);
    return Number(v);
  }
  f64(what: string): number {
    return this.#view.getFloat64(this.take(8, what), true);
  }
  raw(n: number, what: string): Uint8Array {
    const at = this.take(n, what);
    return this.bytes.slice(at, at + n);
  }
  str(what: string): string {
    const n = this.u32(`the length of ${what}`);
    const at = this.take(n, what);
    try {
      return decoder.decode(this.bytes.subarray(at, at + n));
    } catch {
      throw new FormatError(`setStates: ${what} at byte ${at} is not UTF-8`);
    }
  }
  key(what: string): ParamKey {
    const at = this.#at;
    const kind = this.u8(`the kind of ${what}`);
    if (kind === 0) return this.f64(what);
    if (kind === 1) return this.str(what);
    throw new FormatError(`setStates: ${what} at byte ${at} has unknown kind ${kind}`);
  }
  /** A count that must fit in the bytes left, each item taking at least `minBytes`. */
  count(what: string, minBytes: number): number {
    const at = this.#at;
    const n = this.u32(what);
    if (n * minBytes > this.remaining) {
      throw new FormatError(`setStates: ${what} ${n} at byte ${at} exceeds the ${this.remaining} bytes left`);
    }
    return n;
  }
  array(what: string): NDArray {
    const at = this.#at;
    const code = this.u8(`the dtype of ${what}`);
    const dtype = CODE_TO_DTYPE.get(code);
    if (dtype === undefined || dtype === 'float16' || dtype === 'bfloat16')
      throw new FormatError(`setStates: ${what} at byte ${at} has unsupported dtype code ${code}`);
    const ndim = this.u8(`the ndim of ${what}`);
    const shape = Array.from({ length: ndim }, () => this.i64(`a dim of ${what}`));
    const size = shape.reduce((p, d) => p * d, 1);
    if (size * DTYPE_BYTES[dtype] > this.remaining) {
      throw new FormatError(
        `setStates: ${what} at byte ${at} needs ${size * DTYPE_BYTES[dtype]} bytes, ${this.remaining} are left`,
      );
    }
    const raw = this.raw(size * DTYPE_BYTES[dtype], what);
    // raw() copies, so its buffer is a plain ArrayBuffer holding exactly these bytes.
    return fromTypedArray(viewBytesAs(raw.buffer as ArrayBuffer, dtype), shape);
  }
}

export function encodeStates(s: SavedStates): Uint8Array {
  const w = new Writer();
  w.bytes(encoder.encode(MAGIC));
  w.u32(VERSION);
  w.str(s.optimizer);
  w.u32(s.counts.length);
  for (const [k, v] of s.counts) {
    w.key(k);
    w.f64(v);
  }
  w.u32(s.scalars.length);
  for (const [name, v] of s.scalars) {
    w.str(name);
    w.f64(v);
  }
  w.u32(s.entries.length);
  for (const [k, state] of s.entries) {
    w.key(k);
    w.u8(state.master === null ? 0 : 1);
    w.u32(state.arrays.length);
    if (state.master !== null) w.array(state.master);
    for (const a of state.arrays) w.array(a);
  }
  return w.result();
}

/** Decodes encodeStates' bytes; anything malformed is a FormatError naming the byte offset. */
export function decodeStates(bytes: Uint8Array): SavedStates {
  const r = new Reader(bytes);
  const magic = r.raw(MAGIC.length, 'the magic bytes');
  if (new TextDecoder().decode(magic) !== MAGIC) throw new FormatError('setStates: not a bkt optimizer state (bad magic bytes)');
  const version = r.u32('the version');
  if (version !== VERSION) throw new FormatError(`setStates: unsupported state version ${version} (this build reads ${VERSION})`);
  const optimizer = r.str('the optimizer name');
  const counts: Array<[ParamKey, number]> = [];
  for (let i = r.count('the number of update counts', 9); i > 0; i--)
    counts.push([r.key('a count key'), r.f64('an update count')]);
  const scalars: Array<[string, number]> = [];
  for (let i = r.count('the number of scalars', 12); i > 0; i--) scalars.push([r.str('a scalar name'), r.f64('a scalar')]);
  const entries: Array<[ParamKey, OptimizerState]> = [];
  try {
    for (let i = r.count('the number of states', 6); i > 0; i--) {
      const key = r.key('a state key');
      const hasMaster = r.u8('the master flag');
      if (hasMaster > 1) throw new FormatError(`setStates: the master flag at byte ${r.offset - 1} is ${hasMaster}`);
      const n = r.count('the number of state arrays', 2);
      const state: OptimizerState = { master: null, arrays: [] };
      entries.push([key, state]);
      if (hasMaster === 1) state.master = r.array('a master weight');
      for (let j = 0; j < n; j++) state.arrays.push(r.array('a state array'));
    }
    if (r.remaining !== 0)
      throw new FormatError(`setStates: ${r.remaining} unexpected bytes after the states at byte ${r.offset}`);
  } catch (e) {
    for (const [, s] of entries) [s.master, ...s.arrays].forEach((a) => a?.dispose());
    throw e;
  }
  return { optimizer, counts, scalars, entries };
}
