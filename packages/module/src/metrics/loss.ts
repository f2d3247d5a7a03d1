// MXNet's Loss: the mean of the outputs themselves (for networks whose output is the loss, e.g.
// MakeLoss). Labels are ignored.

import { type ArrayList, asList, EvalMetric, type MetricOptions } from './eval-metric.js';
import { host } from './host.js';

export class Loss extends EvalMetric {
  constructor(opts: MetricOptions = {}) {
    super(opts.name ?? 'loss', opts, {}, true);
  }

  update(_labels: ArrayList, preds: ArrayList): void {
    for (const pred of asList(preds)) {
      let s = 0;
      for (const v of host(pred)) s += v;
      this.accumulate(s, pred.size);
    }
  }
}
