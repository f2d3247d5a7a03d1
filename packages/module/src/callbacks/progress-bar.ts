// MXNet's ProgressBar: a text bar of `length` characters, filled in proportion to nbatch / total.

import type { BatchEndParam } from './batch-end-param.js';
import { defaultLogger, type Logger } from './format.js';

export class ProgressBar {
  readonly total: number;
  readonly length: number;
  private readonly logger: Logger;

  constructor(total: number, length = 80, opts: { logger?: Logger } = {}) {
    this.total = total;
    this.length = length;
    this.logger = opts.logger ?? defaultLogger;
  }

  call(param: BatchEndParam): void {
    const filled = Math.min(this.length, Math.max(0, Math.round((this.length * param.nbatch) / this.total)));
    const percent = Math.ceil((100 * param.nbatch) / this.total);
    this.logger(`[${'='.repeat(filled)}${'-'.repeat(this.length - filled)}] ${percent}%\r`);
  }
}
