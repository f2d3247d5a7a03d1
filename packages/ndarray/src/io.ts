// MXNet's NDArray-list files (`mx.nd.save` / `mx.nd.load`, `.params`, `.buckets`), byte for byte.
import { ValueError } from './errors.js';
import { type LoadedList, type NativeHandle, native } from './native.js';
import { NDArray } from './ndarray.js';
import { CSRNDArray, RowSparseNDArray } from './sparse.js';
import { ownValue, setOwn } from './own-keys.js';

function checked(a: unknown, label: string): NDArray {
  if (!(a instanceof NDArray)) throw new ValueError(`save: ${label} is not an NDArray`);
  return a;
}

/** The handles save passes: each array's values, and the storage records and aux arrays of sparse ones. */
function records(arrays: NDArray[]): [NativeHandle[], ([number, number[]] | null)[], NativeHandle[]] {
  const aux: NativeHandle[] = [];
  const sparse = arrays.map((a): [number, number[]] | null => {
    if (a instanceof CSRNDArray) aux.push(a.indptr.handle, a.indices.handle);
    else if (a instanceof RowSparseNDArray) aux.push(a.indices.handle);
    else return null;
    return [a instanceof CSRNDArray ? 2 : 1, [...a.shape]];
  });
  const values = arrays.map((a) => (a instanceof CSRNDArray || a instanceof RowSparseNDArray ? a.data.handle : a.handle));
  return [values, sparse, aux];
}

/**
 * MXNet's `mx.nd.save` (CSRNDArray and RowSparseNDArray as MXNet's sparse V2 records): writes a list (no names; loads back as a list) or a dict (names kept as given,
 * e.g. `arg:fc1_weight`) in the V2 format MXNet 1.x reads. The write is atomic (temporary file, fsync,
 * rename). 0-d arrays raise ShapeError because V2 reads ndim 0 as a "none" array; I/O errors raise
 * NativeError. An empty dict is written like an empty list, so it loads back as `[]`, as in MXNet.
 */
export function save(path: string, data: readonly NDArray[] | Readonly<Record<string, NDArray>>): void {
  if (Array.isArray(data)) {
    native.saveArrays(path, ...withNames(records(data.map((a, i) => checked(a, `array ${i}`))), []));
    return;
  }
  const entries = Object.entries(data as Readonly<Record<string, NDArray>>);
  native.saveArrays(
    path,
    ...withNames(
      records(entries.map(([name, a]) => checked(a, `array '${name}'`))),
      entries.map(([name]) => name),
    ),
  );
}

function withNames(
  [values, sparse, aux]: [NativeHandle[], ([number, number[]] | null)[], NativeHandle[]],
  names: string[],
): [NativeHandle[], string[], ([number, number[]] | null)[], NativeHandle[]] {
  return [values, names, sparse, aux];
}

/**
 * MXNet's `mx.nd.load`: a list when the file has no names, else a dict keyed by the stored names
 * (untouched; a repeated name keeps its last array, like Python's dict). Reads V0-V3 records; every
 * array lands on cpu(0) whatever device it was saved from. A "none" record (MXNet's empty NDArray)
 * loads as a float32 array of shape (0,). Sparse records load as CSRNDArray / RowSparseNDArray.
 * Corrupt or truncated content (a malformed sparse record included) raises FormatError naming the byte
 * offset; a missing or unreadable file raises NativeError.
 */
export function load(path: string): NDArray[] | Record<string, NDArray> {
  return fromLoaded(native.loadArrays(path));
}

/** `load` from bytes already in memory (e.g. a fetched checkpoint), with the same result and errors. */
export function loadFromBuffer(bytes: Uint8Array): NDArray[] | Record<string, NDArray> {
  if (!(bytes instanceof Uint8Array)) throw new ValueError('loadFromBuffer: bytes must be a Uint8Array');
  return fromLoaded(native.loadArraysFromBuffer(bytes));
}

function fromLoaded(loaded: LoadedList): NDArray[] | Record<string, NDArray> {
  const arrays = NDArray.fromHandles(loaded.arrays).map((values, i): NDArray => {
    const sp = loaded.sparse[i];
    if (!sp) return values;
    const aux = NDArray.fromHandles(sp.aux);
    return sp.stype === 2
      ? new CSRNDArray([values, aux[1]!, aux[0]!], sp.shape)
      : new RowSparseNDArray([values, aux[0]!], sp.shape);
  });
  if (loaded.names.length === 0) return arrays;
  const out: Record<string, NDArray> = {};
  loaded.names.forEach((name, i) => {
    ownValue(out, name)?.dispose();
    setOwn(out, name, arrays[i]!);
  });
  return out;
}
