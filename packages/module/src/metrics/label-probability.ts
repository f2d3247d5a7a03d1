// The predicted probability of each example's label, read from a (N, classes) array; shared by
// CrossEntropy and NegativeLogLikelihood.

import { IndexError, type NDArray, pick, ShapeError, ValueError } from '@bkt/ndarray';
import { host, indexOn } from './host.js';

export function labelProbabilities(label: NDArray, pred: NDArray, metric: string): Float64Array {
  if (pred.ndim !== 2) throw new ShapeError(`${metric}: predictions must be (examples, classes), got (${pred.shape.join(', ')})`);
  const [n, classes] = pred.shape as [number, number];
  const truth = host(label);
  if (truth.length !== n) throw new ValueError(`${metric}: ${truth.length} labels for ${n} predictions`);
  for (const t of truth) {
    const c = Math.trunc(t);
    if (c < 0 || c >= classes) throw new IndexError(`${metric}: label ${t} is out of range for ${classes} classes`);
  }
  const index = indexOn(label, pred, [n]);
  try {
    const picked = pick(pred, index, { axis: 1 });
    try {
      return host(picked);
    } finally {
      picked.dispose();
    }
  } finally {
    index.dispose();
  }
}
