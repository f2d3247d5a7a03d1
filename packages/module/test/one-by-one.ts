// Makes an Updater take its lists one parameter at a time, as the per-parameter path did before
// multi-tensor updates: the reference the tests and bench/optimizer-step.ts compare against.
import type { NDArray } from '@bkt/ndarray';
import type { ParamKey, Updater } from '@bkt/optimizer';

/** Drives `updater`'s list updates one parameter at a time; returns the undo. */
export function oneByOne(updater: Updater): () => void {
  const own = updater.update;
  const single = own.bind(updater) as (index: ParamKey, grad: NDArray, weight: NDArray) => void;
  updater.update = ((
    index: ParamKey | readonly ParamKey[],
    grad: NDArray | readonly NDArray[],
    weight: NDArray | readonly NDArray[],
  ) => {
    if (!Array.isArray(index)) return single(index as ParamKey, grad as NDArray, weight as NDArray);
    index.forEach((k, i) => single(k, (grad as NDArray[])[i]!, (weight as NDArray[])[i]!));
  }) as Updater['update'];
  return () => {
    updater.update = own;
  };
}
