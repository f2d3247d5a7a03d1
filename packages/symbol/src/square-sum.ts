// MXNet's `_internal._square_sum` (the sum of squares over axes, which MXNet fuses for row_sparse
// data). bkt has no fused kernel: the creator composes `square` then `sum`, so the graph (and its
// JSON) holds those two nodes. The values and gradients are the same.

import { square, sum } from './creators.js';
import type { Symbol } from './symbol.js';

export interface SquareSumArgs {
  data: Symbol;
  axis?: number | number[] | null;
  keepdims?: boolean;
  exclude?: boolean;
  name?: string;
}

/** sum(square(data), axis, keepdims, exclude); `name` names the sum node (the square is `<name>_square`). */
export function _square_sum(args: SquareSumArgs): Symbol {
  const { data, name, ...reduce } = args;
  const sq = square({ data, ...(name !== undefined ? { name: `${name}_square` } : {}) });
  return sum({ data: sq, ...reduce, ...(name !== undefined ? { name } : {}) });
}
