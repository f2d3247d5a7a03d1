// MXNet's built-in metrics under their registered names and aliases (MXNet's @register / @alias).

import { ValueError } from '@bkt/ndarray';
import { Accuracy } from './accuracy.js';
import { CompositeEvalMetric } from './composite.js';
import { registerMetric, type MetricSpec } from './create.js';
import { CrossEntropy } from './cross-entropy.js';
import { CustomMetric, type FEval } from './custom-metric.js';
import { F1 } from './f1.js';
import { Loss } from './loss.js';
import { MAE } from './mae.js';
import { MCC } from './mcc.js';
import { MSE } from './mse.js';
import { NegativeLogLikelihood } from './negative-log-likelihood.js';
import { PearsonCorrelation } from './pearson-correlation.js';
import { Perplexity } from './perplexity.js';
import { RMSE } from './rmse.js';
import { TopKAccuracy } from './top-k-accuracy.js';

registerMetric(['accuracy', 'acc'], (o) => new Accuracy(o));
registerMetric(['topkaccuracy', 'top_k_accuracy', 'top_k_acc'], (o) => new TopKAccuracy(o));
registerMetric(['f1'], (o) => new F1(o));
registerMetric(['mcc'], (o) => new MCC(o));
registerMetric(['perplexity'], (o) => new Perplexity((o.ignoreLabel as number | null | undefined) ?? null, o));
registerMetric(['mae'], (o) => new MAE(o));
registerMetric(['mse'], (o) => new MSE(o));
registerMetric(['rmse'], (o) => new RMSE(o));
registerMetric(['crossentropy', 'ce', 'cross-entropy'], (o) => new CrossEntropy(o));
registerMetric(['negativeloglikelihood', 'nll_loss'], (o) => new NegativeLogLikelihood(o));
registerMetric(['pearsoncorrelation', 'pearsonr'], (o) => new PearsonCorrelation(o));
registerMetric(['loss'], (o) => new Loss(o));
registerMetric(
  ['compositeevalmetric', 'composite'],
  (o) => new CompositeEvalMetric((o.metrics as MetricSpec[] | undefined) ?? [], o),
);
registerMetric(['custommetric', 'custom'], (o) => {
  if (typeof o.feval !== 'function')
    throw new ValueError('metric.create: a custom metric needs its function (pass the function itself)');
  return new CustomMetric(o.feval as FEval, o);
});
