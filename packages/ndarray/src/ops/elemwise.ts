// Element-wise math: unary ops, clip, broadcasting binary ops (with scalar variants) and where.
import { ValueError } from '../errors.js';
import { native } from '../native.js';
import { NDArray } from '../ndarray.js';
import { BinaryOp, type BinaryOpName, UnaryOp, type UnaryOpName } from '../op-ids.gen.js';
import { checkOptions } from '../validate.js';
import { checkOut } from './out-option.js';

/** An element-wise unary op. */
export type UnaryFn = (data: NDArray) => NDArray;

function unaryOp(name: UnaryOpName): UnaryFn {
  const id = UnaryOp[name];
  return (data) => NDArray.fromHandle(native.unaryOp(id, data.handle));
}

/** e^x (MXNet exp). */
export const exp = unaryOp('exp');
/** Natural logarithm; log(0) is -inf and log(x < 0) is NaN (MXNet log). */
export const log = unaryOp('log');
/** Square root; NaN for x < 0 (MXNet sqrt). */
export const sqrt = unaryOp('sqrt');
/** 1 / sqrt(x) (MXNet rsqrt). */
export const rsqrt = unaryOp('rsqrt');
/** x * x (MXNet square). */
export const square = unaryOp('square');
/** |x| (MXNet abs). */
export const abs = unaryOp('abs');
/** -1, 0 or 1 by the sign of x, NaN for NaN (MXNet sign, with NumPy's NaN rule). */
export const sign = unaryOp('sign');
/** Hyperbolic tangent (MXNet tanh). */
export const tanh = unaryOp('tanh');
/** 1 / (1 + e^-x) (MXNet sigmoid). */
export const sigmoid = unaryOp('sigmoid');
/** max(x, 0), NaN for NaN (MXNet relu). */
export const relu = unaryOp('relu');
/** log(1 + e^x), computed without overflow for large |x| (MXNet Activation softrelu). */
export const softrelu = unaryOp('softrelu');
/** -x (MXNet negative). */
export const negative = unaryOp('negative');
/** 1 / x (MXNet reciprocal). */
export const reciprocal = unaryOp('reciprocal');
/** The Gauss error function 2/√π ∫₀ˣ e^(-t²) dt (MXNet erf). */
export const erf = unaryOp('erf');

/** Limits every element to [aMin, aMax]; aMin > aMax is a ValueError (MXNet clip). */
export function clip(data: NDArray, aMin: number, aMax: number): NDArray {
  return NDArray.fromHandle(native.clip(data.handle, aMin, aMax));
}

/** Options of the binary ops. */
export interface BinaryOptions {
  /**
   * MXNet's `out=`: the result is written into this dense array (of the result's shape and dtype, on
   * the operands' context), which is returned instead of a new one. It may be an operand itself (in
   * place, e.g. `add(sum, g, { out: sum })`); a partial overlap with an operand is a ValueError.
   */
  out?: NDArray;
}

/** A broadcasting binary op (MXNet broadcast_*); with a number on one side, MXNet's _*_scalar / _r*_scalar. */
export interface BinaryFn {
  (lhs: NDArray, rhs: NDArray | number, opts?: BinaryOptions): NDArray;
  (lhs: number, rhs: NDArray, opts?: BinaryOptions): NDArray;
}

function outOption(name: string, opts: BinaryOptions | undefined): NDArray | undefined {
  if (opts === undefined) return undefined;
  const { out } = checkOptions(opts, ['out'], name);
  return out === undefined ? undefined : checkOut(out, name);
}

function binaryOp(name: string, opName: BinaryOpName): BinaryFn {
  const id = BinaryOp[opName];
  const scalarOp = (a: NDArray, scalar: number, scalarOnLeft: boolean, out: NDArray | undefined): NDArray => {
    if (out === undefined) return NDArray.fromHandle(native.binaryScalarOp(id, a.handle, scalar, scalarOnLeft));
    native.binaryScalarOpInto(id, a.handle, scalar, scalarOnLeft, out.handle);
    return out;
  };
  return (lhs: NDArray | number, rhs: NDArray | number, opts?: BinaryOptions): NDArray => {
    const out = outOption(name, opts);
    if (typeof rhs === 'number') {
      if (typeof lhs === 'number') throw new ValueError(`${name}: at least one operand must be an NDArray`);
      return scalarOp(lhs, rhs, false, out);
    }
    if (typeof lhs === 'number') return scalarOp(rhs, lhs, true, out);
    if (out === undefined) return NDArray.fromHandle(native.binaryOp(id, lhs.handle, rhs.handle));
    native.binaryOpInto(id, lhs.handle, rhs.handle, out.handle);
    return out;
  };
}

/** lhs + rhs with broadcasting (MXNet broadcast_add / _plus_scalar). */
export const add = binaryOp('add', 'add');
/** lhs - rhs with broadcasting (MXNet broadcast_sub / _minus_scalar / _rminus_scalar). */
export const subtract = binaryOp('subtract', 'sub');
/** lhs * rhs with broadcasting (MXNet broadcast_mul / _mul_scalar). */
export const multiply = binaryOp('multiply', 'mul');
/** lhs / rhs with broadcasting, floats only (MXNet broadcast_div / _div_scalar / _rdiv_scalar). */
export const divide = binaryOp('divide', 'div');
/** lhs ** rhs with broadcasting, floats only (MXNet broadcast_power / _power_scalar / _rpower_scalar). */
export const power = binaryOp('power', 'pow');
/** Element-wise maximum with broadcasting; NaN wins (MXNet broadcast_maximum / _maximum_scalar). */
export const maximum = binaryOp('maximum', 'maximum');
/** Element-wise minimum with broadcasting; NaN wins (MXNet broadcast_minimum / _minimum_scalar). */
export const minimum = binaryOp('minimum', 'minimum');
/** 1 where lhs == rhs else 0, in the input dtype (MXNet broadcast_equal / _equal_scalar). */
export const equal = binaryOp('equal', 'equal');
/** 1 where lhs != rhs else 0, in the input dtype (MXNet broadcast_not_equal / _not_equal_scalar). */
export const notEqual = binaryOp('notEqual', 'not_equal');
/** 1 where lhs > rhs else 0, in the input dtype (MXNet broadcast_greater / _greater_scalar). */
export const greater = binaryOp('greater', 'greater');
/** 1 where lhs >= rhs else 0, in the input dtype (MXNet broadcast_greater_equal / _greater_equal_scalar). */
export const greaterEqual = binaryOp('greaterEqual', 'greater_equal');
/** 1 where lhs < rhs else 0, in the input dtype (MXNet broadcast_lesser / _lesser_scalar). */
export const lesser = binaryOp('lesser', 'lesser');
/** 1 where lhs <= rhs else 0, in the input dtype (MXNet broadcast_lesser_equal / _lesser_equal_scalar). */
export const lesserEqual = binaryOp('lesserEqual', 'lesser_equal');

/** x where condition is non-zero, else y; a 1-D condition of length x.shape[0] picks rows (MXNet where). */
export function where(condition: NDArray, x: NDArray, y: NDArray): NDArray {
  return NDArray.fromHandle(native.where(condition.handle, x.handle, y.handle));
}
