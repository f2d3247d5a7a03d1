import { ValueError } from '../errors.js';
import { type NativeHandle, native } from '../native.js';
import { NDArray } from '../ndarray.js';
import { checkBoolean, checkInteger, checkOptions } from '../validate.js';

function handles(arrays: readonly NDArray[], op: string): NativeHandle[] {
  if (arrays.length === 0) throw new ValueError(`${op}: needs at least one array`);
  return arrays.map((a) => a.handle);
}

/** MXNet `Concat`: joins arrays of one dtype along existing axis `dim` (MXNet default 1); other dims must match. */
export function concat(arrays: readonly NDArray[], opts?: { dim?: number }): NDArray {
  const { dim } = checkOptions(opts, ['dim'], 'concat');
  return NDArray.fromHandle(native.concat(handles(arrays, 'concat'), checkInteger(dim, 'concat', 'dim', { fallback: 1 })));
}

/** MXNet `stack`: joins arrays of one shape along a new axis `axis` (default 0). */
export function stack(arrays: readonly NDArray[], opts?: { axis?: number }): NDArray {
  const { axis } = checkOptions(opts, ['axis'], 'stack');
  return NDArray.fromHandle(native.stack(handles(arrays, 'stack'), checkInteger(axis, 'stack', 'axis', { fallback: 0 })));
}

export interface SplitOptions {
  /** The axis to split (MXNet default 1); its size must be a multiple of numOutputs. */
  axis?: number;
  /** Drop the split axis from the outputs; needs that axis's size to equal numOutputs. */
  squeezeAxis?: boolean;
}

/** MXNet `split` (SliceChannel): numOutputs equal parts of data along `axis`. */
export function split(data: NDArray, numOutputs: number, opts?: SplitOptions): NDArray[] {
  const o = checkOptions(opts, ['axis', 'squeezeAxis'], 'split');
  const axis = checkInteger(o.axis, 'split', 'axis', { fallback: 1 });
  return NDArray.fromHandles(
    native.split(data.handle, numOutputs, axis, checkBoolean(o.squeezeAxis, 'split', 'squeezeAxis', false)),
  );
}
