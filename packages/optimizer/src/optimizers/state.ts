import { type NDArray, zeros } from '@bkt/ndarray';

/** `count` zero arrays shaped, typed and placed like `weight`. */
export function zerosLike(weight: NDArray, count: number): NDArray[] {
  return Array.from({ length: count }, () => zeros(weight.shape, { dtype: weight.dtype, ctx: weight.context }));
}
