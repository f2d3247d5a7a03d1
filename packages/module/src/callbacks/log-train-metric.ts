// MXNet's log_train_metric: every `period` batches, logs each training metric value; with
// autoReset the metric's local statistics are then cleared.

import type { BatchEndFn } from './batch-end-param.js';
import { defaultLogger, type Logger, pyFixed } from './format.js';

export function logTrainMetric(period: number, autoReset = false, opts: { logger?: Logger } = {}): BatchEndFn {
  const logger = opts.logger ?? defaultLogger;
  return (param) => {
    if (param.nbatch % period !== 0 || !param.evalMetric) return;
    for (const [name, value] of param.evalMetric.getNameValue()) {
      logger(`Iter[${param.epoch}] Batch[${param.nbatch}] Train-${name}=${pyFixed(value)}`);
    }
    if (autoReset) param.evalMetric.resetLocal();
  };
}
