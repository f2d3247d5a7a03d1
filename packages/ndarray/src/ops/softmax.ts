import { binding, type NativeHandle } from '../native.js';
import { NDArray } from '../ndarray.js';

interface SoftmaxBinding {
  softmax(data: NativeHandle, axis: number, temperature: number, log: boolean): NativeHandle;
}

const native = binding<SoftmaxBinding>();

export interface SoftmaxOptions {
  /** The axis the probabilities run along; -1 (the last) by default. */
  axis?: number;
  /** Divides the inputs before exponentiating; must be positive, 1 by default. */
  temperature?: number;
}

/** MXNet `softmax(data, axis=-1, temperature=1)`: exp(x / t) normalized along the axis, computed stably. */
export function softmax(a: NDArray, opts: SoftmaxOptions = {}): NDArray {
  const { axis = -1, temperature = 1 } = opts;
  return NDArray.fromHandle(native.softmax(a.handle, axis, temperature, false));
}

/** MXNet `log_softmax(data, axis=-1, temperature=1)`: the log of softmax without forming it. */
export function logSoftmax(a: NDArray, opts: SoftmaxOptions = {}): NDArray {
  const { axis = -1, temperature = 1 } = opts;
  return NDArray.fromHandle(native.softmax(a.handle, axis, temperature, true));
}
