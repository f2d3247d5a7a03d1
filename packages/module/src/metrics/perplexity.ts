// MXNet's Perplexity (`metric.py`): exp of the mean negative log-probability of the labels. Positions
// whose label equals ignoreLabel are left out of both the sum and the count; probabilities are
// floored at 1e-10. NaN before any counted position.

import { empty, type NDArray, pick, ShapeError, ValueError } from '@bkt/ndarray';
import { type ArrayList, checkLabelShapes, EvalMetric, type MetricOptions, type MetricResult } from './eval-metric.js';
import { host, indexOn } from './host.js';

export interface PerplexityOptions extends MetricOptions {
  /** The class axis of the predictions. Default -1. */
  axis?: number;
}

export class Perplexity extends EvalMetric {
  readonly ignoreLabel: number | null;
  readonly axis: number;
  /**
   * The arrays pick() writes the label probabilities into, one per prediction shape, dtype and context
   * (buckets × devices, a handful): reused every update, so a batch makes no array for them.
   */
  readonly #picked = new Map<string, NDArray>();
  /**
   * The label last seen per shape and context with its view in pick()'s index shape. fit and score
   * hand the same label arrays every batch (the iterator's buffers, the executors' label arrays), so
   * the view is made once; another label replaces and frees the kept view, so at most one per key
   * lives on.
   */
  readonly #indexViews = new Map<string, [NDArray, NDArray]>();

  constructor(ignoreLabel: number | null, opts: PerplexityOptions = {}) {
    if (ignoreLabel !== null && typeof ignoreLabel !== 'number') {
      throw new ValueError(
        `Perplexity: ignoreLabel must be a number or null (MXNet's positional ignore_label), got ${JSON.stringify(ignoreLabel)}`,
      );
    }
    const axis = opts.axis ?? -1;
    super(opts.name ?? 'perplexity', opts, { ignoreLabel, axis }, true);
    this.ignoreLabel = ignoreLabel;
    this.axis = axis;
  }

  update(labels: ArrayList, preds: ArrayList): void {
    const [ls, ps] = checkLabelShapes(labels, preds);
    let loss = 0;
    let num = 0;
    ls.forEach((label, i) => {
      const pred = ps[i]!;
      const ax = this.axis < 0 ? this.axis + pred.ndim : this.axis;
      if (ax < 0 || ax >= pred.ndim)
        throw new ShapeError(`Perplexity: axis ${this.axis} is out of range for predictions of shape (${pred.shape.join(', ')})`);
      const classes = pred.shape[ax]!;
      if (label.size * classes !== pred.size) {
        throw new ShapeError(
          `Perplexity: shape mismatch: labels (${label.shape.join(', ')}) vs. predictions (${pred.shape.join(', ')})`,
        );
      }
      // the label laid out as the predictions without their class axis, so pick() takes one per position
      const shape = pred.shape.filter((_, k) => k !== ax);
      const sameContext = label.context.equals(pred.context);
      const index = sameContext ? this.indexView(label, shape) : indexOn(label, pred, shape);
      let probs: Float64Array;
      try {
        probs = host(pick(pred, index, { axis: ax, out: this.pickedBuffer(pred, shape) }));
      } finally {
        if (!sameContext) index.dispose();
      }
      const truth = host(label);
      for (let k = 0; k < truth.length; k++) {
        if (this.ignoreLabel !== null && truth[k] === this.ignoreLabel) continue;
        loss -= Math.log(Math.max(1e-10, probs[k]!));
        num += 1;
      }
    });
    this.accumulate(loss, num);
  }

  private indexView(label: NDArray, shape: readonly number[]): NDArray {
    if (label.shape.length === shape.length && label.shape.every((d, k) => d === shape[k])) return label;
    const key = `${label.context} ${shape.join(',')}`;
    const kept = this.#indexViews.get(key);
    if (kept !== undefined && kept[0] === label && !label.isDisposed) return kept[1];
    const view = label.reshape(shape);
    kept?.[1].dispose();
    this.#indexViews.set(key, [label, view]);
    return view;
  }

  private pickedBuffer(pred: NDArray, shape: readonly number[]): NDArray {
    const key = `${pred.context} ${pred.dtype} ${shape.join(',')}`;
    let buffer = this.#picked.get(key);
    if (buffer === undefined) {
      buffer = empty(shape, { dtype: pred.dtype, ctx: pred.context });
      this.#picked.set(key, buffer);
    }
    return buffer;
  }

  override get(): MetricResult {
    return [this.name, this.numInst === 0 ? NaN : Math.exp(this.sumMetric / this.numInst)];
  }

  override getGlobal(): MetricResult {
    return [this.name, this.globalNumInst === 0 ? NaN : Math.exp(this.globalSumMetric / this.globalNumInst)];
  }
}
