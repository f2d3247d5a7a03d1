// MXNet's MSE: the mean squared error of each batch, averaged over batches.

import { type ArrayList, checkLabelShapes, EvalMetric, type MetricOptions } from './eval-metric.js';
import { batchError } from './regression.js';

export class MSE extends EvalMetric {
  constructor(opts: MetricOptions = {}) {
    super(opts.name ?? 'mse', opts, {}, true);
  }

  update(labels: ArrayList, preds: ArrayList): void {
    const [ls, ps] = checkLabelShapes(labels, preds);
    ls.forEach((label, i) => this.accumulate(batchError(label, ps[i]!, 'square'), 1));
  }
}
