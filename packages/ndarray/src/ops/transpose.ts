import { native } from '../native.js';
import { NDArray } from '../ndarray.js';

/** MXNet `transpose`: a new contiguous array whose axis i is a's axis axes[i]; no (or empty) axes reverses them. */
export function transpose(a: NDArray, axes?: readonly number[]): NDArray {
  return NDArray.fromHandle(native.transpose(a.handle, axes));
}
