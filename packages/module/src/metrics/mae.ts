// MXNet's MAE: the mean absolute error of each batch, averaged over batches.

import { type ArrayList, checkLabelShapes, EvalMetric, type MetricOptions } from './eval-metric.js';
import { batchError } from './regression.js';

export class MAE extends EvalMetric {
  constructor(opts: MetricOptions = {}) {
    super(opts.name ?? 'mae', opts, {}, true);
  }

  update(labels: ArrayList, preds: ArrayList): void {
    const [ls, ps] = checkLabelShapes(labels, preds);
    ls.forEach((label, i) => this.accumulate(batchError(label, ps[i]!, 'abs'), 1));
  }
}
