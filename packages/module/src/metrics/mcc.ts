// MXNet's MCC (Matthews correlation coefficient) for binary classification, macro- or
// micro-averaged like F1.

import { BinaryClassificationMetric, type BinaryMetricOptions } from './f1.js';

export class MCC extends BinaryClassificationMetric {
  constructor(opts: BinaryMetricOptions = {}) {
    super('mcc', opts);
  }

  protected score(global: boolean): number {
    return this.stats.matthewscc(global);
  }
}
