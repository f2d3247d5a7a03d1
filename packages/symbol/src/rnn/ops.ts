// The operators the cells compose beyond this package's creators: element-wise products and
// scalar subtraction, expand_dims, SwapAxis, ones_like and where. They are defined by another
// part of @bkt/symbol, so the cells create them through the registry by MXNet name, with the
// naming hints MXNet's Python front end uses (`a * b` is `_Mul`, auto-named `_mul0`, ...).

import '../ops/index.js';
import { createSymbol } from '../creator.js';
import { getOp } from '../registry.js';
import type { Symbol } from '../symbol.js';

const make = (op: string, hint: string, args: Record<string, unknown>): Symbol => createSymbol(getOp(op), hint, args);

/** `lhs * rhs` (Symbol.__mul__, or `_internal._mul` when named). */
export const mul = (lhs: Symbol, rhs: Symbol, name?: string): Symbol => make('elemwise_mul', '_Mul', { lhs, rhs, name });

/** `scalar - data` (Symbol.__rsub__). */
export const rminusScalar = (data: Symbol, scalar: number): Symbol => make('_rminus_scalar', '_RMinusScalar', { data, scalar });

export const expandDims = (data: Symbol, axis: number): Symbol => make('expand_dims', 'expand_dims', { data, axis });

/** `symbol.swapaxes`. */
export const swapAxes = (data: Symbol, dim1: number, dim2: number): Symbol => make('SwapAxis', 'swapaxes', { data, dim1, dim2 });

export const onesLike = (data: Symbol): Symbol => make('ones_like', 'ones_like', { data });

export const where = (condition: Symbol, x: Symbol, y: Symbol): Symbol => make('where', 'where', { condition, x, y });
