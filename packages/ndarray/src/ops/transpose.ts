import type { NDArray } from '../ndarray.js';

/** MXNet `transpose`: a new contiguous array whose axis i is a's axis axes[i]; no (or empty) axes reverses them. */
export function transpose(a: NDArray, axes?: readonly number[]): NDArray {
  return a.transpose(axes);
}
