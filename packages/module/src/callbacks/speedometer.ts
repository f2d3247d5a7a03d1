// MXNet's Speedometer: every `frequent` batches, logs the training speed (samples per second since
// the previous report) and the metric's current values. With autoReset (default) the metric's local
// statistics are cleared after each report, so each line covers `Batch [a-b]`; without it the values
// accumulate over the epoch (`Batch [0-b]`). The first call of an epoch only starts the clock; a
// batch number lower than the last one seen means a new epoch.

import type { BatchEndParam } from './batch-end-param.js';
import { defaultLogger, type Logger, nameValues, pyFixed } from './format.js';

export interface SpeedometerOptions {
  logger?: Logger;
  /** The clock, in milliseconds. Default performance.now. */
  now?: () => number;
}

export class Speedometer {
  readonly batchSize: number;
  readonly frequent: number;
  readonly autoReset: boolean;
  private readonly logger: Logger;
  private readonly now: () => number;
  private started = false;
  private tic = 0;
  private lastCount = 0;

  constructor(batchSize: number, frequent = 50, autoReset = true, opts: SpeedometerOptions = {}) {
    this.batchSize = batchSize;
    this.frequent = frequent;
    this.autoReset = autoReset;
    this.logger = opts.logger ?? defaultLogger;
    this.now = opts.now ?? (() => performance.now());
  }

  call(param: BatchEndParam): void {
    const count = param.nbatch;
    if (this.lastCount > count) this.started = false;
    this.lastCount = count;
    if (!this.started) {
      this.started = true;
      this.tic = this.now();
      return;
    }
    if (count % this.frequent !== 0) return;
    const seconds = (this.now() - this.tic) / 1000;
    const speed = seconds > 0 ? (this.frequent * this.batchSize) / seconds : Infinity;
    const metric = param.evalMetric;
    if (metric) {
      const values = metric.getNameValue();
      if (this.autoReset) {
        metric.resetLocal();
        this.logger(
          `Epoch[${param.epoch}] Batch [${count - this.frequent}-${count}]\tSpeed: ${pyFixed(speed, 2)} samples/sec${nameValues(values)}`,
        );
      } else {
        this.logger(`Epoch[${param.epoch}] Batch [0-${count}]\tSpeed: ${pyFixed(speed, 2)} samples/sec${nameValues(values)}`);
      }
    } else {
      this.logger(`Iter[${param.epoch}] Batch [${count}]\tSpeed: ${pyFixed(speed, 2)} samples/sec`);
    }
    this.tic = this.now();
  }
}
