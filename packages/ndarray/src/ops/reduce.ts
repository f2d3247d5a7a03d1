import { ValueError } from '../errors.js';
import { native } from '../native.js';
import { NDArray } from '../ndarray.js';
import { ReduceOp, type ReduceOpName } from '../op-ids.gen.js';
import { checkBoolean, checkInteger, checkOptions, describeValue } from '../validate.js';

/**
 * MXNet's reduction axes. No `axis` (or an empty list) reduces every axis; negative axes count from
 * the end; `exclude` reduces every axis except those listed. Without `keepdims` the reduced axes
 * vanish, and a result with no axes left has shape [1] as in MXNet 1.x.
 */
export interface ReduceOptions {
  axis?: number | readonly number[];
  keepdims?: boolean;
  exclude?: boolean;
}

export interface NormOptions extends ReduceOptions {
  /** 1 for the sum of absolute values, 2 (default) for the Euclidean norm. */
  ord?: 1 | 2;
}

export interface ArgmaxOptions {
  /** The axis to search; none searches the flattened array. */
  axis?: number;
  keepdims?: boolean;
}

function run(a: NDArray, op: ReduceOpName, opts: NormOptions | undefined): NDArray {
  const o = checkOptions(opts, op === 'norm' ? ['axis', 'keepdims', 'exclude', 'ord'] : ['axis', 'keepdims', 'exclude'], op);
  const keepdims = checkBoolean(o.keepdims, op, 'keepdims', false);
  const exclude = checkBoolean(o.exclude, op, 'exclude', false);
  if (o.ord !== undefined && o.ord !== 1 && o.ord !== 2)
    throw new ValueError(`norm: ord must be 1 or 2, got ${describeValue(o.ord)}`);
  return NDArray.fromHandle(native.reduce(a.handle, ReduceOp[op], o.axis ?? null, keepdims, exclude, o.ord ?? 2));
}

/** MXNet `sum(data, axis, keepdims, exclude)`; float32 accumulates in float64, an empty sum is 0. */
export function sum(a: NDArray, opts?: ReduceOptions): NDArray {
  return run(a, 'sum', opts);
}

/** MXNet `mean(data, axis, keepdims, exclude)`; the mean of nothing is NaN. */
export function mean(a: NDArray, opts?: ReduceOptions): NDArray {
  return run(a, 'mean', opts);
}

/** MXNet `max(data, axis, keepdims, exclude)`; NaN propagates, an empty axis is a ShapeError. */
export function max(a: NDArray, opts?: ReduceOptions): NDArray {
  return run(a, 'max', opts);
}

/** MXNet `min(data, axis, keepdims, exclude)`; NaN propagates, an empty axis is a ShapeError. */
export function min(a: NDArray, opts?: ReduceOptions): NDArray {
  return run(a, 'min', opts);
}

/** MXNet `norm(data, ord=2, axis, keepdims)`: the L1 or L2 norm of the elements over the axes. */
export function norm(a: NDArray, opts?: NormOptions): NDArray {
  return run(a, 'norm', opts);
}

/** MXNet `argmax(data, axis, keepdims)`: first index of the maximum, as a float of the input's dtype. */
export function argmax(a: NDArray, opts?: ArgmaxOptions): NDArray {
  const o = checkOptions(opts, ['axis', 'keepdims'], 'argmax');
  const axis = o.axis === undefined ? null : checkInteger(o.axis, 'argmax', 'axis');
  return NDArray.fromHandle(native.argmax(a.handle, axis, checkBoolean(o.keepdims, 'argmax', 'keepdims', false)));
}
