import { binding, type NativeHandle } from '../native.js';
import { NDArray } from '../ndarray.js';

interface TransposeBinding {
  transpose(a: NativeHandle, axes?: readonly number[]): NativeHandle;
}

const native = binding<TransposeBinding>();

/** MXNet `transpose`: a new contiguous array whose axis i is a's axis axes[i]; no (or empty) axes reverses them. */
export function transpose(a: NDArray, axes?: readonly number[]): NDArray {
  return NDArray.fromHandle(native.transpose(a.handle, axes));
}
