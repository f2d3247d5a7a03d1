// MXNet's CrossEntropy: the mean cross-entropy loss -log(p + eps) of the probability p the predictions give each
// example's label (predictions (N, classes), labels N class ids).

import { type ArrayList, checkLabelShapes, EvalMetric, type MetricOptions } from './eval-metric.js';
import { labelProbabilities } from './label-probability.js';

export interface CrossEntropyOptions extends MetricOptions {
  /** Added to each probability before the log. Default 1e-12. */
  eps?: number;
}

export class CrossEntropy extends EvalMetric {
  readonly eps: number;

  constructor(opts: CrossEntropyOptions = {}) {
    const eps = opts.eps ?? 1e-12;
    super(opts.name ?? 'cross-entropy', opts, { eps }, true);
    this.eps = eps;
  }

  update(labels: ArrayList, preds: ArrayList): void {
    const [ls, ps] = checkLabelShapes(labels, preds);
    ls.forEach((label, i) => {
      const probs = labelProbabilities(label, ps[i]!, 'CrossEntropy');
      let loss = 0;
      for (const p of probs) loss -= Math.log(p + this.eps);
      this.accumulate(loss, probs.length);
    });
  }
}
