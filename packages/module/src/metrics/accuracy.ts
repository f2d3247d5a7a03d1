// MXNet's Accuracy: the fraction of predictions equal to the label. A prediction whose shape differs
// from the label's is a score vector: its argmax along `axis` is the predicted class. Both sides are
// truncated to integers before comparing.

import { argmax, ValueError } from '@bkt/ndarray';
import { type ArrayList, checkLabelShapes, EvalMetric, type MetricOptions } from './eval-metric.js';
import { host } from './host.js';
import { sameShape } from '../util/same-shape.js';

export interface AccuracyOptions extends MetricOptions {
  /** The class axis of the predictions. Default 1. */
  axis?: number;
}

export class Accuracy extends EvalMetric {
  readonly axis: number;

  constructor(opts: AccuracyOptions = {}) {
    const axis = opts.axis ?? 1;
    super(opts.name ?? 'accuracy', opts, { axis }, true);
    this.axis = axis;
  }

  update(labels: ArrayList, preds: ArrayList): void {
    const [ls, ps] = checkLabelShapes(labels, preds);
    ls.forEach((label, i) => {
      const pred = ps[i]!;
      let predicted: Float64Array;
      if (sameShape(pred.shape, label.shape)) {
        predicted = host(pred);
      } else {
        const am = argmax(pred, { axis: this.axis });
        try {
          predicted = host(am);
        } finally {
          am.dispose();
        }
      }
      const truth = host(label);
      if (truth.length !== predicted.length) {
        throw new ValueError(`Shape of labels ${truth.length} does not match shape of predictions ${predicted.length}`);
      }
      let correct = 0;
      for (let k = 0; k < truth.length; k++) if (Math.trunc(truth[k]!) === Math.trunc(predicted[k]!)) correct += 1;
      this.accumulate(correct, truth.length);
    });
  }
}
