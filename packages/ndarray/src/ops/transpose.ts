import type { NDArray } from '../ndarray.js';
import { NativeError } from '../errors.js';

/** Placeholder until the transpose kernel lands (indexing family). */
export function transpose(a: NDArray, axes?: readonly number[]): NDArray {
  throw new NativeError(`transpose is not built yet (${a.shape}, ${axes})`);
}
