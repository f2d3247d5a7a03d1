// MXNet's F1 for binary classification. average 'macro' (default) averages the F1 of each update()
// call (MXNet's meaning: per mini-batch, not per class); 'micro' is the F1 of all examples seen.

import { ValueError } from '@bkt/ndarray';
import { BinaryClassificationStats } from './binary-classification.js';
import { type ArrayList, checkLabelShapes, EvalMetric, type MetricOptions } from './eval-metric.js';

export type BinaryAverage = 'macro' | 'micro';

export interface BinaryMetricOptions extends MetricOptions {
  average?: BinaryAverage;
}

export function checkAverage(average: string, metric: string): BinaryAverage {
  if (average !== 'macro' && average !== 'micro')
    throw new ValueError(`${metric}: average must be 'macro' or 'micro', got '${average}'`);
  return average;
}

/** Shared by F1 and MCC: the score of the batch (macro) or of everything (micro). */
export abstract class BinaryClassificationMetric extends EvalMetric {
  readonly average: BinaryAverage;
  protected readonly stats = new BinaryClassificationStats();

  constructor(name: string, opts: BinaryMetricOptions) {
    const average = checkAverage(opts.average ?? 'macro', name);
    super(opts.name ?? name, opts, { average }, true);
    this.average = average;
  }

  protected abstract score(global: boolean): number;

  update(labels: ArrayList, preds: ArrayList): void {
    const [ls, ps] = checkLabelShapes(labels, preds);
    ls.forEach((label, i) => this.stats.update(label, ps[i]!, this.constructor.name));
    if (this.average === 'macro') {
      this.sumMetric += this.score(false);
      this.globalSumMetric += this.score(true);
      this.numInst += 1;
      this.globalNumInst += 1;
      this.stats.resetStats();
    } else {
      this.sumMetric = this.score(false) * this.stats.totalExamples(false);
      this.globalSumMetric = this.score(true) * this.stats.totalExamples(true);
      this.numInst = this.stats.totalExamples(false);
      this.globalNumInst = this.stats.totalExamples(true);
    }
  }

  override reset(): void {
    super.reset();
    this.stats.resetStats();
  }

  override resetLocal(): void {
    super.resetLocal();
    this.stats.resetLocalStats();
  }
}

export class F1 extends BinaryClassificationMetric {
  constructor(opts: BinaryMetricOptions = {}) {
    super('f1', opts);
  }

  protected score(global: boolean): number {
    return this.stats.fscore(global);
  }
}
