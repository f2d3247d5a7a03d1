// MXNet's metric.create: a metric from its registered name (case-insensitive, with MXNet's aliases),
// an EvalMetric (returned as is), a function (a CustomMetric), a list (a CompositeEvalMetric of each)
// or a getConfig() object. MXNet's metrics are registered in builtin-metrics.ts; a list becomes the
// metric registered as 'composite' (CompositeEvalMetric calls create(), so this file cannot import it).

import { ValueError } from '@bkt/ndarray';
import { CustomMetric, type FEval } from './custom-metric.js';
import { EvalMetric, type MetricConfig } from './eval-metric.js';

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

/** `opts` are the metric's constructor options (camelCase), used for names and functions. */
export function create(metric: MetricSpec, opts: Options = {}): EvalMetric {
  if (metric instanceof EvalMetric) return metric;
  if (typeof metric === 'function') return new CustomMetric(metric, opts);
  if (Array.isArray(metric)) {
    return lookup('composite')({ metrics: (metric as readonly MetricSpec[]).map((child) => create(child, opts)) });
  }
  if (typeof metric === 'object' && metric !== null) {
    const { metric: name, ...rest } = metric as MetricConfig;
    if (typeof name !== 'string') throw new ValueError('metric.create: a config needs the metric name under `metric`');
    const clean = Object.fromEntries(Object.entries({ ...rest, ...opts }).filter(([, v]) => v !== null && v !== undefined));
    return create(name, clean);
  }
  if (typeof metric !== 'string') throw new ValueError(`metric.create: cannot make a metric from ${String(metric)}`);
  return lookup(metric)(opts);
}

function lookup(name: string): Factory {
  const factory = registry.get(name.toLowerCase());
  if (factory === undefined) {
    throw new ValueError(`metric.create: '${name}' is not a registered metric (known: ${listMetrics().join(', ')})`);
  }
  return factory;
}
