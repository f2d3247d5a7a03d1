import { StateError } from '../errors.js';
import type { NativeHandle } from '../native.js';
import type { NDArray } from '../ndarray.js';

/** The handle of an op's input; a disposed input is a StateError that names the op and argument. */
export function handleArg(a: NDArray, op: string, arg = 'data'): NativeHandle {
  if (a.isDisposed) throw new StateError(`${op}: ${arg} ${a} was used after dispose()`);
  return a.handle;
}
