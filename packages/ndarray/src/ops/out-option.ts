// MXNet's `out=` argument: the array an op writes its result into instead of making a new one.
import { ValueError } from '../errors.js';
import { NDArray } from '../ndarray.js';
import { describeValue } from '../validate.js';

/** `out` checked to be a dense NDArray (shape, dtype, context and overlap are the kernel's checks). */
export function checkOut(out: unknown, op: string): NDArray {
  if (!(out instanceof NDArray) || out.stype !== 'default') {
    throw new ValueError(`${op}: out must be a dense NDArray, got ${describeValue(out)}`);
  }
  return out;
}
