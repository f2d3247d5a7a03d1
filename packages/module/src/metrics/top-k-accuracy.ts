// MXNet's TopKAccuracy: a prediction counts as right when the label is among the k highest scores
// of its row. The name gets `_<k>` appended (`top_k_accuracy_5`).

import { ShapeError, ValueError } from '@bkt/ndarray';
import { type ArrayList, checkLabelShapes, EvalMetric, type MetricOptions } from './eval-metric.js';
import { host } from './host.js';

export interface TopKAccuracyOptions extends MetricOptions {
  /** Default 1, which is rejected: use Accuracy for k = 1. */
  topK?: number;
}

export class TopKAccuracy extends EvalMetric {
  readonly topK: number;

  constructor(opts: TopKAccuracyOptions = {}) {
    const topK = opts.topK ?? 1;
    super(opts.name ?? 'top_k_accuracy', opts, { topK }, true);
    if (!Number.isInteger(topK) || topK <= 1) throw new ValueError('TopKAccuracy: use Accuracy if top_k is no more than 1');
    this.topK = topK;
    // MXNet appends `_<k>`; a name that already ends so (a getConfig round trip) is kept
    if (!this.name.endsWith(`_${topK}`)) this.name += `_${topK}`;
  }

  update(labels: ArrayList, preds: ArrayList): void {
    const [ls, ps] = checkLabelShapes(labels, preds);
    ls.forEach((label, i) => {
      const pred = ps[i]!;
      if (pred.ndim > 2)
        throw new ShapeError(`TopKAccuracy: predictions should be no more than 2 dims, got (${pred.shape.join(', ')})`);
      const truth = host(label).map(Math.trunc);
      const scores = host(pred);
      const n = pred.shape[0] ?? 0;
      if (truth.length !== n) throw new ValueError(`Shape of labels ${truth.length} does not match shape of predictions ${n}`);
      let correct = 0;
      if (pred.ndim === 1) {
        // a vector of predicted classes
        for (let r = 0; r < n; r++) if (Math.trunc(scores[r]!) === truth[r]) correct += 1;
      } else {
        const c = pred.shape[1]!;
        const k = Math.min(c, this.topK);
        for (let r = 0; r < n; r++) {
          const t = truth[r]!;
          if (t < 0 || t >= c) continue;
          // the label is in the top k when fewer than k classes score above it (ties: lower index first)
          const s = scores[r * c + t]!;
          let above = 0;
          for (let j = 0; j < c && above < k; j++) {
            const v = scores[r * c + j]!;
            if (v > s || (v === s && j < t)) above += 1;
          }
          if (above < k) correct += 1;
        }
      }
      this.accumulate(correct, n);
    });
  }
}
