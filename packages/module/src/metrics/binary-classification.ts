// True/false positive/negative counts of a binary classifier (MXNet's _BinaryClassificationMetrics),
// local and global, from which F1 and MCC are computed. The prediction is the argmax of a (N, 2)
// score array; label 1 is the positive class.

import { argmax, type NDArray, ValueError } from '@bkt/ndarray';
import { host } from './host.js';

interface Counts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

const zero = (): Counts => ({ tp: 0, fp: 0, fn: 0, tn: 0 });

function fscore(c: Counts): number {
  const precision = c.tp + c.fp > 0 ? c.tp / (c.tp + c.fp) : 0;
  const recall = c.tp + c.fn > 0 ? c.tp / (c.tp + c.fn) : 0;
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

function mcc(c: Counts): number {
  if (c.tp + c.fp + c.fn + c.tn === 0) return 0;
  // a zero factor of the denominator is left out (MXNet's convention), so the result stays finite
  let denom = 1;
  for (const t of [c.tp + c.fp, c.tp + c.fn, c.tn + c.fp, c.tn + c.fn]) if (t !== 0) denom *= t;
  return (c.tp * c.tn - c.fp * c.fn) / Math.sqrt(denom);
}

export class BinaryClassificationStats {
  local: Counts = zero();
  global: Counts = zero();

  update(label: NDArray, pred: NDArray, metric: string): void {
    const truth = host(label).map(Math.trunc);
    const am = argmax(pred, { axis: 1 });
    let predicted: Float64Array;
    try {
      predicted = host(am);
    } finally {
      am.dispose();
    }
    if (truth.length !== predicted.length) {
      throw new ValueError(`Shape of labels ${truth.length} does not match shape of predictions ${predicted.length}`);
    }
    if (new Set(truth).size > 2) throw new ValueError(`${metric} currently only supports binary classification.`);
    const c = zero();
    for (let i = 0; i < truth.length; i++) {
      const p = predicted[i] === 1;
      const t = truth[i] === 1;
      if (p && t) c.tp += 1;
      else if (p) c.fp += 1;
      else if (t) c.fn += 1;
      else c.tn += 1;
    }
    for (const s of [this.local, this.global]) {
      s.tp += c.tp;
      s.fp += c.fp;
      s.fn += c.fn;
      s.tn += c.tn;
    }
  }

  fscore(global = false): number {
    return fscore(global ? this.global : this.local);
  }

  matthewscc(global = false): number {
    return mcc(global ? this.global : this.local);
  }

  totalExamples(global = false): number {
    const c = global ? this.global : this.local;
    return c.tp + c.fp + c.fn + c.tn;
  }

  resetStats(): void {
    this.local = zero();
    this.global = zero();
  }

  resetLocalStats(): void {
    this.local = zero();
  }
}
