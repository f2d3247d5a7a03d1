import { Context, cpu } from './context.js';
import { type AnyTypedArray, type DType, DTYPE_CODES, dtypeFromCode, checkDType, viewBytesAs } from './dtype.js';
import { IndexError, ValueError } from './errors.js';
import { type NativeHandle, native, scratch } from './native.js';
import { fmt, resolveReshape } from './reshape-shape.js';
import { checkBoolean, checkContext, checkInteger, checkOptions, describeValue } from './validate.js';

const DISPOSED = -1 as NativeHandle;

// The safety net for arrays that are never disposed: their handles are released when JS collects them.
const collected = new FinalizationRegistry<NativeHandle>((h) => native.dispose(h));

/** MXNet's storage types: dense, row-sparse (some rows stored) and compressed sparse row. */
export type SType = 'default' | 'row_sparse' | 'csr';

/** Storage casts, installed by sparse.ts (which extends NDArray, so this file cannot import it). */
export interface StorageCasts {
  cast(a: NDArray, stype: SType): NDArray;
  /** Writes `src` into `dst` where either is sparse (MXNet's copyto across storage types). */
  copyInto(src: NDArray, dst: NDArray): void;
}
let storageCasts: StorageCasts | null = null;

/** @internal Called once by sparse.ts. */
export function installStorageCasts(casts: StorageCasts): void {
  storageCasts = casts;
}

function casts(op: string): StorageCasts {
  if (storageCasts === null) throw new ValueError(`${op}: sparse storage is not loaded (import from '@bkt/ndarray')`);
  return storageCasts;
}

/**
 * An n-dimensional array whose bytes live in native memory. Shape, dtype and context are kept on
 * the JS side so reading them never crosses into C++. `dispose()` frees the bytes at once; arrays
 * that are never disposed are freed some time after they are garbage-collected.
 */
export class NDArray {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly context: Context;
  #handle: NativeHandle | null;

  /** Sparse arrays (sparse.ts) pass a null handle: their parts own the native bytes. */
  protected constructor(handle: NativeHandle | null, shape: number[], dtype: DType, context: Context) {
    this.#handle = handle;
    if (handle !== null) collected.register(this, handle, this);
    this.shape = Object.freeze(shape);
    this.dtype = dtype;
    this.context = context;
  }

  /** Wraps a handle that native code just created (its metadata is in the scratch buffer). */
  static fromHandle(handle: NativeHandle): NDArray {
    const ndim = scratch[0]!;
    const shape = new Array<number>(ndim);
    for (let i = 0; i < ndim; i++) shape[i] = scratch[4 + i]!;
    return new NDArray(handle, shape, dtypeFromCode(scratch[1]!), cpu(scratch[3]!));
  }

  /** Wraps several handles, e.g. the outputs of split. */
  static fromHandles(handles: NativeHandle[]): NDArray[] {
    return handles.map((h) => {
      native.describe(h);
      return NDArray.fromHandle(h);
    });
  }

  /**
   * The native handle. A disposed array yields a handle that no slot holds, so the native op that
   * receives it raises a StateError naming the op and the argument.
   */
  get handle(): NativeHandle {
    return this.#handle ?? DISPOSED;
  }

  get isDisposed(): boolean {
    return this.#handle === null;
  }

  /** The storage type (MXNet's `stype`): always 'default' for a dense array. */
  get stype(): SType {
    return 'default';
  }

  /** A copy in storage type `stype` (MXNet's `tostype`, i.e. cast_storage). */
  tostype(stype: SType): NDArray {
    return casts('tostype').cast(this, stype);
  }

  get ndim(): number {
    return this.shape.length;
  }

  get size(): number {
    let n = 1;
    for (const d of this.shape) n *= d;
    return n;
  }

  /** Frees the native bytes now (views keep the shared storage alive until they are disposed too). */
  dispose(): void {
    if (this.#handle === null) return;
    collected.unregister(this);
    native.dispose(this.#handle);
    this.#handle = null;
  }

  /** A copy of the data. float16 and bfloat16 come out as Float32Array, int64 as BigInt64Array. */
  toTypedArray(): AnyTypedArray {
    if (this.dtype === 'float16' || this.dtype === 'bfloat16') {
      const asF32 = this.astype('float32');
      try {
        return asF32.toTypedArray();
      } finally {
        asF32.dispose();
      }
    }
    return viewBytesAs(native.toBuffer(this.handle), this.dtype);
  }

  /** The data as plain numbers (flat, row-major). */
  toArray(): number[] {
    return Array.from(this.toTypedArray() as ArrayLike<number | bigint>, Number);
  }

  /** The single value of a one-element array (MXNet's `asscalar`). */
  asScalar(): number {
    if (this.size !== 1) throw new ValueError(`asScalar: the array has shape ${fmt(this.shape)}, not one element`);
    return this.toArray()[0]!;
  }

  /** Copies to a context (a new array) or into an existing array of the same shape (any dtype). */
  copyTo(target: Context | NDArray): NDArray {
    if (target instanceof NDArray) {
      if (target.stype !== 'default') casts('copyTo').copyInto(this, target);
      else native.copyInto(target.handle, this.handle);
      return target;
    }
    return NDArray.fromHandle(
      native.astype(this.handle, DTYPE_CODES[this.dtype], 1, checkContext(target, 'copyTo', 'target').deviceId),
    );
  }

  /**
   * Copies rows [begin, begin + target.shape[0]) along axis 0 into `target` (a dense array with this
   * array's other dims, any dtype and context): MXNet's `a[begin:end].copyto(target)` without making
   * the view, for buffers refilled every batch. Rows out of range are an IndexError.
   */
  copyRowsTo(target: NDArray, begin: number): NDArray {
    if (!(target instanceof NDArray) || target.stype !== 'default') {
      throw new ValueError(`copyRowsTo: target must be a dense NDArray, got ${describeValue(target)}`);
    }
    checkInteger(begin, 'copyRowsTo', 'begin');
    native.copyRowsInto(target.handle, this.handle, begin);
    return target;
  }

  /** A new array with every element converted to `dtype`. */
  astype(dtype: DType): NDArray {
    checkDType(dtype, 'astype');
    return NDArray.fromHandle(native.astype(this.handle, DTYPE_CODES[dtype], 1, this.context.deviceId));
  }

  /** A copy on the same context. */
  copy(): NDArray {
    return this.copyTo(this.context);
  }

  /** A view with a new shape; accepts MXNet's special values 0, -1, -2, -3, -4. */
  reshape(shape: readonly number[], options?: { reverse?: boolean }): NDArray {
    const { reverse } = checkOptions(options, ['reverse'], 'reshape');
    const resolved = resolveReshape(
      this.shape,
      shape,
      reverse === undefined ? false : checkBoolean(reverse, 'reshape', 'reverse'),
    );
    return NDArray.fromHandle(native.reshapeView(this.handle, resolved));
  }

  /** A view of rows [begin, end) along axis 0. Negative bounds count from the end. */
  slice(begin: number, end: number = this.shape[0] ?? 0): NDArray {
    const n = this.shape[0];
    if (n === undefined) throw new IndexError('slice: cannot slice a 0-d array');
    checkInteger(begin, 'slice', 'begin');
    checkInteger(end, 'slice', 'end');
    const b = begin < 0 ? begin + n : begin;
    const e = end < 0 ? end + n : end;
    return NDArray.fromHandle(native.sliceRows(this.handle, b, e));
  }

  /** A view of row `index` along axis 0, with that axis removed (MXNet's `at`). */
  at(index: number): NDArray {
    const n = this.shape[0];
    if (n === undefined) throw new IndexError('at: cannot index a 0-d array');
    const i = index < 0 ? index + n : index;
    if (!Number.isInteger(i) || i < 0 || i >= n) {
      throw new IndexError(`at: index ${index} is out of bounds for axis 0 of shape ${fmt(this.shape)}`);
    }
    const row = this.slice(i, i + 1);
    try {
      return row.reshape(this.shape.slice(1));
    } finally {
      row.dispose();
    }
  }

  /** A transposed copy; with no axes the order of the axes is reversed. */
  transpose(axes?: readonly number[]): NDArray {
    return NDArray.fromHandle(native.transpose(this.handle, axes));
  }

  get T(): NDArray {
    return this.transpose();
  }

  /** Sets every element to `value`, in place. */
  fill(value: number): this {
    if (typeof value !== 'number') throw new ValueError(`fill: value must be a number, got ${describeValue(value)}`);
    native.fill(this.handle, value);
    return this;
  }

  toString(): string {
    return `NDArray${fmt(this.shape)} ${this.dtype} @${this.context}${this.isDisposed ? ' (disposed)' : ''}`;
  }
}
