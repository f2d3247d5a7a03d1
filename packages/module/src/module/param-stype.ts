// The storage type a parameter declares through its variable's `__storage_type__` attribute
// (`Variable(name, { stype })`), and CPU arrays of that type: MXNet's Module keeps a row_sparse
// parameter row_sparse in its arg_params.

import { type DType, type NDArray, ownValue, type SType, sparse } from '@bkt/ndarray';
import { STORAGE_TYPE_IDS } from '@bkt/symbol';

const BY_ID = new Map<string, SType>(Object.entries(STORAGE_TYPE_IDS).map(([name, id]) => [String(id), name as SType]));

/** The declared storage type of `name` ('default' without the attribute). */
export function declaredStype(attrs: Readonly<Record<string, Readonly<Record<string, string>>>>, name: string): SType {
  const id = ownValue(attrs, name)?.__storage_type__;
  return id === undefined ? 'default' : (BY_ID.get(id) ?? 'default');
}

/** Zeros of `stype` shaped like `like` (MXNet's `nd.zeros(shape, dtype, stype)` for the CPU copies). */
export function zerosOfStype(stype: SType, like: { shape: readonly number[]; dtype: DType }): NDArray {
  return sparse.zeros(stype, like.shape, { dtype: like.dtype });
}
