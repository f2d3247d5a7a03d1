// MXNet's LogValidationMetricsCallback: logs each validation metric value at the end of scoring.

import type { BatchEndParam } from './batch-end-param.js';
import { defaultLogger, type Logger, pyFixed } from './format.js';

export class LogValidationMetricsCallback {
  private readonly logger: Logger;

  constructor(opts: { logger?: Logger } = {}) {
    this.logger = opts.logger ?? defaultLogger;
  }

  call(param: BatchEndParam): void {
    if (!param.evalMetric) return;
    for (const [name, value] of param.evalMetric.getNameValue()) {
      this.logger(`Epoch[${param.epoch}] Validation-${name}=${pyFixed(value)}`);
    }
  }
}
