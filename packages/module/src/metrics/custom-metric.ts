// MXNet's CustomMetric: a user function of (label, prediction) per output, read back to host
// arrays. It returns either the batch's value (counted as one instance) or `[sum, count]`.

import type { NDArray } from '@bkt/ndarray';
import { type ArrayList, asList, checkLabelShapes, EvalMetric, type MetricOptions } from './eval-metric.js';
import { host } from './host.js';

/** An array read back to JS: row-major float64 values and the shape. */
export interface HostArray {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

export type FEval = (label: HostArray, pred: HostArray) => number | readonly [number, number];

export interface CustomMetricOptions extends MetricOptions {
  /** Allow more outputs than labels (the extra outputs are not passed to feval). Default false. */
  allowExtraOutputs?: boolean;
}

const toHost = (a: NDArray): HostArray => ({ shape: a.shape, data: host(a) });

export class CustomMetric extends EvalMetric {
  readonly feval: FEval;
  readonly allowExtraOutputs: boolean;

  constructor(feval: FEval, opts: CustomMetricOptions = {}) {
    // MXNet names it after the function; an anonymous one gets custom(<name>) as lambdas did
    const fname = feval.name;
    const name = opts.name ?? (fname ? fname : 'custom(<anonymous>)');
    const allowExtraOutputs = opts.allowExtraOutputs ?? false;
    super(name, opts, { feval: fname, allowExtraOutputs }, true);
    this.feval = feval;
    this.allowExtraOutputs = allowExtraOutputs;
  }

  update(labels: ArrayList, preds: ArrayList): void {
    const [ls, ps] = this.allowExtraOutputs ? [asList(labels), asList(preds)] : checkLabelShapes(labels, preds);
    const n = Math.min(ls.length, ps.length);
    for (let i = 0; i < n; i++) {
      const r = this.feval(toHost(ls[i]!), toHost(ps[i]!));
      if (typeof r === 'number') this.accumulate(r, 1);
      else this.accumulate(r[0], r[1]);
    }
  }
}
