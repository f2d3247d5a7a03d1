// MXNet's metric.create: a metric from its registered name (case-insensitive, with MXNet's aliases),
// an EvalMetric (returned as is), a function (a CustomMetric), a list (a CompositeEvalMetric of each)
// or a getConfig() object.

import { ValueError } from '@bkt/ndarray';
import { Accuracy } from './accuracy.js';
import { CompositeEvalMetric } from './composite.js';
import { CrossEntropy } from './cross-entropy.js';
import { CustomMetric, type FEval } from './custom-metric.js';
import { EvalMetric, type MetricConfig } from './eval-metric.js';
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

export type MetricSpec = EvalMetric | string | FEval | MetricConfig | readonly MetricSpec[];

type Options = Record<string, unknown>;
type Factory = (opts: Options) => EvalMetric;

const registry = new Map<string, Factory>();

/** Registers a factory under its name and aliases (lower-cased), as MXNet's @register / @alias. */
export function registerMetric(names: readonly string[], factory: Factory): void {
  for (const n of names) registry.set(n.toLowerCase(), factory);
}

/** Registered names and aliases. */
export function listMetrics(): string[] {
  return [...registry.keys()].sort();
}

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
registerMetric(['compositeevalmetric', 'composite'], (o) => new CompositeEvalMetric((o.metrics as MetricSpec[] | undefined) ?? [], o));
registerMetric(['custommetric', 'custom'], (o) => {
  if (typeof o.feval !== 'function') throw new ValueError('metric.create: a custom metric needs its function (pass the function itself)');
  return new CustomMetric(o.feval as FEval, o);
});

/** `opts` are the metric's constructor options (camelCase), used for names and functions. */
export function create(metric: MetricSpec, opts: Options = {}): EvalMetric {
  if (metric instanceof EvalMetric) return metric;
  if (typeof metric === 'function') return new CustomMetric(metric, opts);
  if (Array.isArray(metric)) {
    const composite = new CompositeEvalMetric();
    for (const child of metric as readonly MetricSpec[]) composite.add(create(child, opts));
    return composite;
  }
  if (typeof metric === 'object' && metric !== null) {
    const { metric: name, ...rest } = metric as MetricConfig;
    if (typeof name !== 'string') throw new ValueError('metric.create: a config needs the metric name under `metric`');
    const clean = Object.fromEntries(Object.entries({ ...rest, ...opts }).filter(([, v]) => v !== null && v !== undefined));
    return create(name, clean);
  }
  if (typeof metric !== 'string') throw new ValueError(`metric.create: cannot make a metric from ${String(metric)}`);
  const factory = registry.get(metric.toLowerCase());
  if (factory === undefined) {
    throw new ValueError(`metric.create: '${metric}' is not a registered metric (known: ${listMetrics().join(', ')})`);
  }
  return factory(opts);
}
