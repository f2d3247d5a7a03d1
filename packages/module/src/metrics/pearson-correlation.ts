// MXNet's PearsonCorrelation between flattened predictions and labels. 'macro' (default) averages
// the coefficient of each batch; 'micro' keeps running means, sums of squares and the co-moment
// (Welford's updates) and gives the coefficient of everything seen since reset(). MXNet's micro
// mode had no global value (0/0 came out); here getGlobal() gives the running coefficient too.

import { ValueError } from '@bkt/ndarray';
import { type ArrayList, checkLabelShapes, EvalMetric, type MetricOptions, type MetricResult } from './eval-metric.js';
import { checkAverage, type BinaryAverage } from './f1.js';
import { host } from './host.js';

export interface PearsonCorrelationOptions extends MetricOptions {
  average?: BinaryAverage;
}

function mean(x: Float64Array): number {
  let s = 0;
  for (const v of x) s += v;
  return s / x.length;
}

/** numpy.corrcoef(a, b)[0, 1]. */
export function pearson(a: Float64Array, b: Float64Array): number {
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

export class PearsonCorrelation extends EvalMetric {
  readonly average: BinaryAverage;
  // micro: running count, means and sums of squared deviations of labels (l) and predictions (p)
  private n = 0;
  private meanL = 0;
  private meanP = 0;
  private sseL = 0;
  private sseP = 0;
  private comoment = 0;

  constructor(opts: PearsonCorrelationOptions = {}) {
    const average = checkAverage(opts.average ?? 'macro', 'PearsonCorrelation');
    super(opts.name ?? 'pearsonr', opts, { average }, true);
    this.average = average;
  }

  update(labels: ArrayList, preds: ArrayList): void {
    const [ls, ps] = checkLabelShapes(labels, preds);
    ls.forEach((label, i) => {
      const pred = ps[i]!;
      if (label.ndim !== pred.ndim || label.shape.some((d, k) => d !== pred.shape[k])) {
        throw new ValueError(
          `Shape of labels (${label.shape.join(', ')}) does not match shape of predictions (${pred.shape.join(', ')})`,
        );
      }
      const l = host(label);
      const p = host(pred);
      if (this.average === 'macro') {
        this.accumulate(pearson(p, l), 1);
        return;
      }
      this.numInst += 1;
      this.globalNumInst += 1;
      // batched Welford: the means move by the batch's deviations; the co-moment pairs the new
      // label mean with the old prediction mean
      const n = this.n + l.length;
      let dl = 0;
      let dp = 0;
      for (let k = 0; k < l.length; k++) {
        dl += l[k]! - this.meanL;
        dp += p[k]! - this.meanP;
      }
      const meanL = this.meanL + dl / n;
      const meanP = this.meanP + dp / n;
      for (let k = 0; k < l.length; k++) {
        this.sseL += (l[k]! - this.meanL) * (l[k]! - meanL);
        this.comoment += (l[k]! - meanL) * (p[k]! - this.meanP);
        this.sseP += (p[k]! - this.meanP) * (p[k]! - meanP);
      }
      this.n = n;
      this.meanL = meanL;
      this.meanP = meanP;
    });
  }

  private micro(): number {
    const n = this.n;
    return this.comoment / ((n - 1) * Math.sqrt(this.sseP / (n - 1)) * Math.sqrt(this.sseL / (n - 1)));
  }

  override get(): MetricResult {
    if (this.average === 'macro') return super.get();
    return [this.name, this.numInst === 0 ? NaN : this.micro()];
  }

  override getGlobal(): MetricResult {
    if (this.average === 'macro') return super.getGlobal();
    return [this.name, this.globalNumInst === 0 ? NaN : this.micro()];
  }

  override reset(): void {
    super.reset();
    this.n = 0;
    this.meanL = 0;
    this.meanP = 0;
    this.sseL = 0;
    this.sseP = 0;
    this.comoment = 0;
  }
}
