import { native } from '../native.js';
import { NDArray } from '../ndarray.js';
import { checkFiniteNumber, checkInteger, checkOptions } from '../validate.js';

export interface SoftmaxOptions {
  /** The axis the probabilities run along; -1 (the last) by default. */
  axis?: number;
  /** Divides the inputs before exponentiating; must be positive, 1 by default. */
  temperature?: number;
}

function softmaxArgs(opts: SoftmaxOptions | undefined, fn: string): [number, number] {
  const o = checkOptions(opts, ['axis', 'temperature'], fn);
  return [
    checkInteger(o.axis, fn, 'axis', { fallback: -1 }),
    checkFiniteNumber(o.temperature, fn, 'temperature', { fallback: 1 }),
  ];
}

/** MXNet `softmax(data, axis=-1, temperature=1)`: exp(x / t) normalized along the axis, computed stably. */
export function softmax(a: NDArray, opts?: SoftmaxOptions): NDArray {
  return NDArray.fromHandle(native.softmax(a.handle, ...softmaxArgs(opts, 'softmax'), false));
}

/** MXNet `log_softmax(data, axis=-1, temperature=1)`: the log of softmax without forming it. */
export function logSoftmax(a: NDArray, opts?: SoftmaxOptions): NDArray {
  return NDArray.fromHandle(native.softmax(a.handle, ...softmaxArgs(opts, 'log_softmax'), true));
}
