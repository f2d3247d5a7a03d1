// MXNet's NegativeLogLikelihood: the mean negative log-likelihood -log(p + eps) of the probability p the predictions give each
// example's label (predictions (N, classes), labels N class ids).

import { type ArrayList, checkLabelShapes, EvalMetric, type MetricOptions } from './eval-metric.js';
import { labelProbabilities } from './label-probability.js';

export interface NegativeLogLikelihoodOptions extends MetricOptions {
  /** Added to each probability before the log. Default 1e-12. */
  eps?: number;
}

export class NegativeLogLikelihood extends EvalMetric {
  readonly eps: number;

  constructor(opts: NegativeLogLikelihoodOptions = {}) {
    const eps = opts.eps ?? 1e-12;
    super(opts.name ?? 'nll-loss', opts, { eps }, true);
    this.eps = eps;
  }

  update(labels: ArrayList, preds: ArrayList): void {
    const [ls, ps] = checkLabelShapes(labels, preds);
    ls.forEach((label, i) => {
      const probs = labelProbabilities(label, ps[i]!, 'NegativeLogLikelihood');
      let loss = 0;
      for (const p of probs) loss -= Math.log(p + this.eps);
      this.accumulate(loss, probs.length);
    });
  }
}
