// MXNet's NDArray-list files (`mx.nd.save` / `mx.nd.load`, `.params`, `.buckets`), byte for byte.
import { ValueError } from './errors.js';
import { binding, type NativeHandle } from './native.js';
import { NDArray } from './ndarray.js';

interface LoadedList {
  arrays: NativeHandle[];
  names: string[];
}

interface ParamsBinding {
  saveArrays(path: string, arrays: NativeHandle[], names: string[]): void;
  loadArrays(path: string): LoadedList;
  loadArraysFromBuffer(bytes: Uint8Array): LoadedList;
}

const native = binding<ParamsBinding>();

function handleOf(a: unknown, label: string): NativeHandle {
  if (!(a instanceof NDArray)) throw new ValueError(`save: ${label} is not an NDArray`);
  return a.handle;
}

/**
 * MXNet's `mx.nd.save`: writes a list (no names; loads back as a list) or a dict (names kept as given,
 * e.g. `arg:fc1_weight`) in the V2 format MXNet 1.x reads. The write is atomic (temporary file, fsync,
 * rename). 0-d arrays raise ShapeError because V2 reads ndim 0 as a "none" array; I/O errors raise
 * NativeError. An empty dict is written like an empty list, so it loads back as `[]`, as in MXNet.
 */
export function save(path: string, data: readonly NDArray[] | Readonly<Record<string, NDArray>>): void {
  if (Array.isArray(data)) {
    native.saveArrays(
      path,
      data.map((a, i) => handleOf(a, `array ${i}`)),
      [],
    );
    return;
  }
  const entries = Object.entries(data as Readonly<Record<string, NDArray>>);
  native.saveArrays(
    path,
    entries.map(([name, a]) => handleOf(a, `array '${name}'`)),
    entries.map(([name]) => name),
  );
}

/**
 * MXNet's `mx.nd.load`: a list when the file has no names, else a dict keyed by the stored names
 * (untouched; a repeated name keeps its last array, like Python's dict). Reads V0-V3 records; every
 * array lands on cpu(0) whatever device it was saved from. A "none" record (MXNet's empty NDArray)
 * loads as a float32 array of shape (0,). Corrupt, truncated or sparse (row_sparse/csr) content
 * raises FormatError naming the byte offset; a missing or unreadable file raises NativeError.
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
  const arrays = NDArray.fromHandles(loaded.arrays);
  if (loaded.names.length === 0) return arrays;
  const out: Record<string, NDArray> = {};
  loaded.names.forEach((name, i) => {
    if (Object.hasOwn(out, name)) out[name]!.dispose();
    // defineProperty so a stored name such as `__proto__` becomes a key, not a prototype change.
    Object.defineProperty(out, name, { value: arrays[i]!, enumerable: true, writable: true, configurable: true });
  });
  return out;
}
