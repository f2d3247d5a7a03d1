// The per-batch error shared by MAE, MSE and RMSE: a 1-D label or prediction becomes a column
// (N, 1), the two are broadcast against each other, and the error is averaged over the batch. The
// metric's value is the mean of these per-batch values (MXNet counts batches, not examples).

import { abs, mean, type NDArray, square, subtract } from '@bkt/ndarray';

export function batchError(label: NDArray, pred: NDArray, kind: 'abs' | 'square'): number {
  const made: NDArray[] = [];
  const keep = (a: NDArray): NDArray => {
    made.push(a);
    return a;
  };
  try {
    // With several contexts the labels stay where the batch was made; compute on the prediction's.
    const column = (a: NDArray): NDArray => {
      const f = keep(a.context.equals(pred.context) ? a.astype('float64') : keep(a.copyTo(pred.context)).astype('float64'));
      return a.ndim === 1 ? keep(f.reshape([a.shape[0]!, 1])) : f;
    };
    const diff = keep(subtract(column(label), column(pred)));
    const err = keep(kind === 'abs' ? abs(diff) : square(diff));
    return keep(mean(err)).asScalar();
  } finally {
    for (const a of made) a.dispose();
  }
}
