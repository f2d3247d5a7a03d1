// MXNet's mx.nd.sparse: CSRNDArray and RowSparseNDArray. A sparse array is a set of dense parts
// (MXNet's `.data`, `.indices`, `.indptr`, int64 indices) plus its dense shape; native kernels
// (native/kernels/sparse.cc) check the format, cast storage and compute csr dot products. Sparse
// arrays extend NDArray so they travel wherever arrays do (batches, parameter dicts), but they have
// no dense handle: a dense-only op given one raises ValueError naming the op's argument's stype.
import { type Context, currentContext } from './context.js';
import { array, creationOptions, zeros as denseZeros } from './creation.js';
import { type AnyTypedArray, checkDType, type DType } from './dtype.js';
import { IndexError, ShapeError, ValueError } from './errors.js';
import { type NativeHandle, native } from './native.js';
import { installStorageCasts, NDArray, type SType } from './ndarray.js';
import { fmt } from './reshape-shape.js';
import { checkBoolean, checkContext, checkInteger, checkOptions, checkShape } from './validate.js';

/** The common part of CSRNDArray and RowSparseNDArray: dense parts, a dense shape, no dense handle. */
export abstract class BaseSparseNDArray extends NDArray {
  #disposed = false;

  protected constructor(shape: readonly number[], dtype: DType, context: Context) {
    super(null, [...shape], dtype, context);
  }

  /** @internal The dense parts, in MXNet's order (data, then the aux arrays). */
  abstract get parts(): NDArray[];

  override get handle(): NativeHandle {
    throw new ValueError(
      `${this.stype} array ${fmt(this.shape)}: this operation needs dense storage; convert with tostype('default') first`,
    );
  }

  override get isDisposed(): boolean {
    return this.#disposed;
  }

  override dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const p of this.parts) p.dispose();
  }

  /** The dense values, row-major (MXNet's asnumpy). */
  override toTypedArray(): AnyTypedArray {
    const dense = this.tostype('default');
    try {
      return dense.toTypedArray();
    } finally {
      dense.dispose();
    }
  }

  override astype(dtype: DType): NDArray {
    return this.withParts(this.parts.map((p, i) => (i === 0 ? p.astype(dtype) : p.copy())));
  }

  override copyTo(target: Context | NDArray): NDArray {
    if (target instanceof NDArray) {
      copyAcross(this, target);
      return target;
    }
    return this.withParts(this.parts.map((p) => p.copyTo(target)));
  }

  override reshape(): NDArray {
    throw new ValueError(`reshape: not supported for ${this.stype} storage`);
  }

  override fill(): this {
    throw new ValueError(`fill: not supported for ${this.stype} storage; build a new array instead`);
  }

  override transpose(): NDArray {
    throw new ValueError(`transpose: not supported for ${this.stype} storage`);
  }

  override toString(): string {
    return `${this.constructor.name}${fmt(this.shape)} ${this.dtype} @${this.context}${this.isDisposed ? ' (disposed)' : ''}`;
  }

  /** A new array of this storage type and shape over `parts` (taken over, not copied). */
  protected abstract withParts(parts: NDArray[]): BaseSparseNDArray;

  /** @internal Replaces the parts with `parts` (taken over); the old parts are freed. */
  abstract replaceParts(parts: NDArray[]): void;
}

/** MXNet's CSRNDArray: a 2-d matrix in compressed sparse row format. */
export class CSRNDArray extends BaseSparseNDArray {
  #data: NDArray;
  #indices: NDArray;
  #indptr: NDArray;

  /** @internal Use csrMatrix. The parts must already be checked. */
  constructor(parts: readonly [NDArray, NDArray, NDArray], shape: readonly number[]) {
    super(shape, parts[0].dtype, parts[0].context);
    [this.#data, this.#indices, this.#indptr] = parts;
  }

  override get stype(): SType {
    return 'csr';
  }
  /** The non-zero values (nnz,). */
  get data(): NDArray {
    return this.#data;
  }
  /** The column of each value (nnz,), int64. */
  get indices(): NDArray {
    return this.#indices;
  }
  /** Row i holds values [indptr[i], indptr[i+1]) (rows + 1,), int64. */
  get indptr(): NDArray {
    return this.#indptr;
  }
  get parts(): NDArray[] {
    return [this.#data, this.#indices, this.#indptr];
  }

  protected withParts(parts: NDArray[]): CSRNDArray {
    return new CSRNDArray(parts as [NDArray, NDArray, NDArray], this.shape);
  }

  replaceParts(parts: NDArray[]): void {
    const old = this.parts;
    [this.#data, this.#indices, this.#indptr] = parts as [NDArray, NDArray, NDArray];
    for (const p of old) p.dispose();
  }

  /** Rows [begin, end) as a new CSR matrix (the values and indices are views, indptr is rebased). */
  override slice(begin: number, end: number = this.shape[0]!): CSRNDArray {
    const n = this.shape[0]!;
    const b = begin < 0 ? begin + n : begin;
    const e = end < 0 ? end + n : end;
    if (!Number.isInteger(b) || !Number.isInteger(e) || b < 0 || e > n || b > e) {
      throw new ShapeError(`slice: rows [${begin}, ${end}) are out of bounds for csr shape ${fmt(this.shape)}`);
    }
    const ptr = this.#indptr.toTypedArray() as BigInt64Array;
    const lo = Number(ptr[b]!);
    const hi = Number(ptr[e]!);
    const rebased = new BigInt64Array(e - b + 1);
    for (let i = b; i <= e; i++) rebased[i - b] = ptr[i]! - ptr[b]!;
    return new CSRNDArray(
      [this.#data.slice(lo, hi), this.#indices.slice(lo, hi), array(rebased, { dtype: 'int64', ctx: this.context })],
      [e - b, this.shape[1]!],
    );
  }
}

/**
 * The rows `rows` (any order, repeats allowed) of a csr matrix as a new one (MXNet's `csr[idx]`, how
 * NDArrayIter gathers a shuffled batch). A contiguous ascending run is a slice.
 */
export function takeRows(csr: CSRNDArray, rows: readonly number[]): CSRNDArray {
  const n = csr.shape[0]!;
  for (const r of rows) {
    if (!Number.isInteger(r) || r < 0 || r >= n)
      throw new IndexError(`takeRows: row ${r} is out of bounds for csr shape ${fmt(csr.shape)}`);
  }
  if (rows.length > 0 && rows.every((r, i) => r === rows[0]! + i)) return csr.slice(rows[0]!, rows[0]! + rows.length);
  const ptr = csr.indptr.toTypedArray() as BigInt64Array;
  const idx = csr.indices.toTypedArray() as BigInt64Array;
  const val = csr.data.toTypedArray() as Float32Array | Float64Array;
  const outPtr = new BigInt64Array(rows.length + 1);
  rows.forEach((r, i) => (outPtr[i + 1] = outPtr[i]! + ptr[r + 1]! - ptr[r]!));
  const nnz = Number(outPtr[rows.length]!);
  const outIdx = new BigInt64Array(nnz);
  const outVal = new (val.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(nnz);
  rows.forEach((r, i) => {
    const from = Number(ptr[r]!);
    const to = Number(ptr[r + 1]!);
    outIdx.set(idx.subarray(from, to), Number(outPtr[i]!));
    outVal.set(val.subarray(from, to), Number(outPtr[i]!));
  });
  const opts = { dtype: csr.dtype, ctx: csr.context };
  return new CSRNDArray(
    [array(outVal, opts), array(outIdx, { ...opts, dtype: 'int64' }), array(outPtr, { ...opts, dtype: 'int64' })],
    [rows.length, csr.shape[1]!],
  );
}

/** MXNet's RowSparseNDArray: the rows named by `indices` are stored, every other row is zero. */
export class RowSparseNDArray extends BaseSparseNDArray {
  #data: NDArray;
  #indices: NDArray;

  /** @internal Use rowSparseArray. The parts must already be checked. */
  constructor(parts: readonly [NDArray, NDArray], shape: readonly number[]) {
    super(shape, parts[0].dtype, parts[0].context);
    [this.#data, this.#indices] = parts;
  }

  override get stype(): SType {
    return 'row_sparse';
  }
  /** The stored rows (k, ...row shape). */
  get data(): NDArray {
    return this.#data;
  }
  /** The ascending row ids of the stored rows (k,), int64. */
  get indices(): NDArray {
    return this.#indices;
  }
  get parts(): NDArray[] {
    return [this.#data, this.#indices];
  }

  protected withParts(parts: NDArray[]): RowSparseNDArray {
    return new RowSparseNDArray(parts as [NDArray, NDArray], this.shape);
  }

  replaceParts(parts: NDArray[]): void {
    const old = this.parts;
    [this.#data, this.#indices] = parts as [NDArray, NDArray];
    for (const p of old) p.dispose();
  }
}

type Part = NDArray | ArrayLike<number> | ArrayLike<bigint>;

export interface SparseOptions {
  dtype?: DType;
  ctx?: Context;
}

function sparseOptions(opts: SparseOptions | undefined, fn: string): SparseOptions {
  const o = checkOptions(opts, ['dtype', 'ctx'], fn);
  if (o.dtype !== undefined) checkDType(o.dtype, fn);
  if (o.ctx !== undefined) checkContext(o.ctx, fn);
  return o;
}

function valuesOf(p: Part, shape: readonly number[] | undefined, opts: SparseOptions, what: string): NDArray {
  if (p instanceof NDArray) {
    if (p.stype !== 'default') throw new ValueError(`${what} must be a dense array, got ${p.stype}`);
    return opts.dtype && opts.dtype !== p.dtype ? p.astype(opts.dtype) : p.copyTo(opts.ctx ?? p.context);
  }
  const a = ArrayBuffer.isView(p) ? (p as ArrayBufferView) : Float64Array.from(p as ArrayLike<number>, Number);
  return array(a, { dtype: opts.dtype ?? 'float32', ctx: opts.ctx ?? currentContext(), ...(shape ? { shape } : {}) });
}

function indicesOf(p: Part, opts: SparseOptions, what: string): NDArray {
  if (p instanceof NDArray) return p.dtype === 'int64' ? p.copyTo(opts.ctx ?? p.context) : p.astype('int64');
  const n = (p as ArrayLike<unknown>).length;
  const out = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    const v = (p as ArrayLike<unknown>)[i];
    out[i] = typeof v === 'bigint' ? v : BigInt(checkInteger(v, what, `element ${i}`));
  }
  return array(out, { dtype: 'int64', ctx: opts.ctx ?? currentContext() });
}

function disposeOnThrow<T>(parts: NDArray[], f: () => T): T {
  try {
    return f();
  } catch (e) {
    for (const p of parts) p.dispose();
    throw e;
  }
}

/**
 * MXNet's `mx.nd.sparse.csr_matrix((data, indices, indptr), shape)`: the parts are copied (values to
 * `dtype`, float32 by default for plain numbers; indices to int64) and checked: IndexError for an
 * out-of-range or unsorted column index or a bad indptr, ShapeError for mismatched lengths.
 */
export function csrMatrix(parts: readonly [Part, Part, Part], shape: readonly number[], opts?: SparseOptions): CSRNDArray {
  opts = sparseOptions(opts, 'csrMatrix');
  shape = checkShape(shape, 'csrMatrix');
  const [d, i, p] = parts;
  const data = valuesOf(d, undefined, opts, 'csrMatrix: data');
  const all = [data, indicesOf(i, opts, 'csrMatrix: indices'), indicesOf(p, opts, 'csrMatrix: indptr')] as [
    NDArray,
    NDArray,
    NDArray,
  ];
  return disposeOnThrow(all, () => {
    native.checkCsr(all[0].handle, all[1].handle, all[2].handle, shape);
    return new CSRNDArray(all, shape);
  });
}

/**
 * MXNet's `mx.nd.sparse.row_sparse_array((data, indices), shape)`: `data` holds the rows named by the
 * ascending `indices`; plain-number data is read as (k, ...shape[1:]).
 */
export function rowSparseArray(parts: readonly [Part, Part], shape: readonly number[], opts?: SparseOptions): RowSparseNDArray {
  opts = sparseOptions(opts, 'rowSparseArray');
  shape = checkShape(shape, 'rowSparseArray');
  const [d, i] = parts;
  const idx = indicesOf(i, opts, 'rowSparseArray: indices');
  const data = disposeOnThrow([idx], () => valuesOf(d, [idx.size, ...shape.slice(1)], opts, 'rowSparseArray: data'));
  const all = [data, idx] as [NDArray, NDArray];
  return disposeOnThrow(all, () => {
    native.checkRsp(data.handle, idx.handle, shape);
    return new RowSparseNDArray(all, shape);
  });
}

/** MXNet's `mx.nd.sparse.zeros(stype, shape)` (and `mx.nd.zeros(shape, stype=...)`): nothing stored. */
export function zeros(stype: SType, shape: readonly number[], opts?: SparseOptions): NDArray {
  const { dtype, ctx } = creationOptions(opts, 'zeros', 'float32');
  shape = checkShape(shape, 'zeros');
  if (stype === 'default') return denseZeros(shape, { dtype, ctx });
  if (stype === 'csr') {
    if (shape.length !== 2) throw new ShapeError(`zeros: a csr array must be 2-d, got ${fmt(shape)}`);
    // indptr (rows + 1 zeros) is made natively: a JS array of that length could exhaust the JS heap.
    const parts = [denseZeros([0], { dtype, ctx }), denseZeros([0], { dtype: 'int64', ctx })];
    const all = disposeOnThrow(parts, () => [...parts, denseZeros([shape[0]! + 1], { dtype: 'int64', ctx })]) as [
      NDArray,
      NDArray,
      NDArray,
    ];
    return disposeOnThrow(all, () => {
      native.checkCsr(all[0].handle, all[1].handle, all[2].handle, shape);
      return new CSRNDArray(all, shape);
    });
  }
  if (stype === 'row_sparse') {
    return rowSparseArray([denseZeros([0, ...shape.slice(1)], { dtype, ctx }), []], shape, { dtype, ctx });
  }
  throw new ValueError(`zeros: unknown storage type '${String(stype)}'`);
}

function wrapCsr(h: NativeHandle[], shape: readonly number[]): CSRNDArray {
  return new CSRNDArray(NDArray.fromHandles(h) as [NDArray, NDArray, NDArray], shape);
}

function wrapRsp(h: NativeHandle[], shape: readonly number[]): RowSparseNDArray {
  return new RowSparseNDArray(NDArray.fromHandles(h) as [NDArray, NDArray], shape);
}

/** A dense array of `shape` holding `a` (dense arrays are copied). */
function toDense(a: NDArray): NDArray {
  const out = denseZeros(a.shape, { dtype: a.dtype, ctx: a.context });
  copyAcross(a, out);
  return out;
}

/**
 * MXNet's cast_storage: any storage type to any other (a copy, also when the type is unchanged).
 * Dense → row_sparse keeps the rows with a non-zero element; dense → csr keeps the non-zero elements.
 */
export function castStorage(a: NDArray, stype: SType): NDArray {
  if (stype === 'default') return a.stype === 'default' ? a.copy() : toDense(a);
  if (a.stype === stype) return a.copy();
  const dense = a.stype === 'default' ? a : toDense(a);
  try {
    if (stype === 'csr') {
      if (dense.ndim !== 2) throw new ShapeError(`tostype('csr'): only 2-d arrays can be csr, got ${fmt(dense.shape)}`);
      return wrapCsr(native.denseToCsr(dense.handle), dense.shape);
    }
    if (stype === 'row_sparse') return wrapRsp(native.denseToRsp(dense.handle, false), dense.shape);
    throw new ValueError(`tostype: unknown storage type '${String(stype)}'`);
  } finally {
    if (dense !== a) dense.dispose();
  }
}

function requireSameShape(src: NDArray, dst: NDArray, op: string): void {
  if (src.shape.length !== dst.shape.length || src.shape.some((d, i) => d !== dst.shape[i])) {
    throw new ShapeError(`${op}: cannot copy ${src.stype} ${fmt(src.shape)} into ${dst.stype} ${fmt(dst.shape)}`);
  }
}

/** MXNet's copyto where either side is sparse: the target keeps its storage type (its parts are replaced). */
function copyAcross(src: NDArray, dst: NDArray): void {
  requireSameShape(src, dst, 'copyTo');
  if (dst instanceof BaseSparseNDArray) {
    const converted = castStorage(src.dtype === dst.dtype ? src : src.astype(dst.dtype), dst.stype);
    dst.replaceParts((converted as BaseSparseNDArray).parts.map((p) => p.copyTo(dst.context)));
    converted.dispose();
    return;
  }
  const staged = dst.dtype === src.dtype ? dst : denseZeros(dst.shape, { dtype: src.dtype, ctx: dst.context });
  if (src instanceof CSRNDArray) native.csrToDenseInto(src.data.handle, src.indices.handle, src.indptr.handle, staged.handle);
  else if (src instanceof RowSparseNDArray) native.rspToDenseInto(src.data.handle, src.indices.handle, staged.handle);
  else src.copyTo(staged);
  if (staged !== dst) {
    staged.copyTo(dst);
    staged.dispose();
  }
}

installStorageCasts({ cast: castStorage, copyInto: copyAcross });

/**
 * A row-sparse array holding every row of the dense `a` (zero rows included): what MXNet's random
 * samplers and initializers write into a row-sparse output.
 */
export function denseToRowSparseAllRows(a: NDArray): RowSparseNDArray {
  return wrapRsp(native.denseToRsp(a.handle, true), a.shape);
}

/** Replaces the rows of `dst` by every row of the dense `src` (see denseToRowSparseAllRows). */
export function assignAllRows(dst: RowSparseNDArray, src: NDArray): void {
  requireSameShape(src, dst, 'assignAllRows');
  const full = denseToRowSparseAllRows(src.dtype === dst.dtype ? src : src.astype(dst.dtype));
  dst.replaceParts([full.data.copyTo(dst.context), full.indices.copyTo(dst.context)]);
  full.dispose();
}

/**
 * MXNet's sparse dot with a csr lhs and a dense rhs: dot(csr, dense) is dense (M, N);
 * dot(csr, dense, {transposeA}) is row_sparse (K, N) holding the columns the csr uses (MXNet's
 * default output storage for it).
 */
export function dot(lhs: CSRNDArray, rhs: NDArray, opts?: { transposeA?: boolean }): NDArray {
  const { transposeA } = checkOptions(opts, ['transposeA'], 'sparse.dot');
  if (!(lhs instanceof CSRNDArray)) throw new ValueError(`sparse.dot: lhs must be csr, got ${(lhs as NDArray).stype}`);
  if (rhs.stype !== 'default')
    throw new ValueError(`sparse.dot: rhs must be dense, got ${rhs.stype} (convert it with tostype('default'))`);
  const h = [lhs.data.handle, lhs.indices.handle, lhs.indptr.handle] as const;
  if (checkBoolean(transposeA, 'sparse.dot', 'transposeA', false)) {
    return wrapRsp(native.csrTDotDense(h[0], h[1], h[2], lhs.shape, rhs.handle), [lhs.shape[1]!, rhs.shape[1] ?? 0]);
  }
  return NDArray.fromHandle(native.csrDotDense(h[0], h[1], h[2], lhs.shape, rhs.handle));
}
