// MXNet's RMSE: the root mean squared error of each batch, averaged over batches.

import { type ArrayList, checkLabelShapes, EvalMetric, type MetricOptions } from './eval-metric.js';
import { batchError } from './regression.js';

export class RMSE extends EvalMetric {
  constructor(opts: MetricOptions = {}) {
    super(opts.name ?? 'rmse', opts, {}, true);
  }

  update(labels: ArrayList, preds: ArrayList): void {
    const [ls, ps] = checkLabelShapes(labels, preds);
    ls.forEach((label, i) => this.accumulate(Math.sqrt(batchError(label, ps[i]!, 'square')), 1));
  }
}
