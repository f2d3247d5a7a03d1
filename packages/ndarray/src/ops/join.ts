import { ValueError } from '../errors.js';
import { binding, type NativeHandle } from '../native.js';
import { NDArray } from '../ndarray.js';

interface JoinBinding {
  concat(arrays: NativeHandle[], dim: number): NativeHandle;
  stack(arrays: NativeHandle[], axis: number): NativeHandle;
  split(data: NativeHandle, numOutputs: number, axis: number, squeezeAxis: boolean): NativeHandle[];
}

const native = binding<JoinBinding>();

function handles(arrays: readonly NDArray[], op: string): NativeHandle[] {
  if (arrays.length === 0) throw new ValueError(`${op}: needs at least one array`);
  return arrays.map((a) => a.handle);
}

/** MXNet `Concat`: joins arrays of one dtype along existing axis `dim` (MXNet default 1); other dims must match. */
export function concat(arrays: readonly NDArray[], opts: { dim?: number } = {}): NDArray {
  return NDArray.fromHandle(native.concat(handles(arrays, 'concat'), opts.dim ?? 1));
}

/** MXNet `stack`: joins arrays of one shape along a new axis `axis` (default 0). */
export function stack(arrays: readonly NDArray[], opts: { axis?: number } = {}): NDArray {
  return NDArray.fromHandle(native.stack(handles(arrays, 'stack'), opts.axis ?? 0));
}

export interface SplitOptions {
  /** The axis to split (MXNet default 1); its size must be a multiple of numOutputs. */
  axis?: number;
  /** Drop the split axis from the outputs; needs that axis's size to equal numOutputs. */
  squeezeAxis?: boolean;
}

/** MXNet `split` (SliceChannel): numOutputs equal parts of data along `axis`. */
export function split(data: NDArray, numOutputs: number, opts: SplitOptions = {}): NDArray[] {
  return NDArray.fromHandles(native.split(data.handle, numOutputs, opts.axis ?? 1, opts.squeezeAxis ?? false));
}
