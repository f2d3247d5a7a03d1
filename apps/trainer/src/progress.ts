// What a run shows while it trains. On a terminal: one progress bar per epoch (batches, samples/s,
// running perplexity, ETA) with the log lines printed above it. Otherwise (a pipe, a file, CI): the
// log lines only, so a log stays readable.

import cliProgress from 'cli-progress';
import type { BatchEndParam, Logger } from '@bkt/module';

export interface RunDisplay {
  /** Prints one line (above the bar while one is shown). */
  log: Logger;
  /** Starts the bar of an epoch with `total` batches. */
  startEpoch(epoch: number, total: number): void;
  /** A batch-end callback that advances the bar. */
  batchEnd(param: BatchEndParam): void;
  /** Removes the bar (at an epoch's end, on interrupt, on error). */
  stop(): void;
}

/** Plain lines on `write` (stdout by default). */
export function plainDisplay(write: (line: string) => void = (l) => console.log(l)): RunDisplay {
  return { log: write, startEpoch() {}, batchEnd() {}, stop() {} };
}

/** A cli-progress bar on a terminal stream. */
export function barDisplay(stream: NodeJS.WriteStream = process.stdout): RunDisplay {
  let multi: cliProgress.MultiBar | null = null;
  let bar: cliProgress.SingleBar | null = null;
  let tic = 0;
  return {
    log(line) {
      if (multi) multi.log(`${line}\n`);
      else stream.write(`${line}\n`);
    },
    startEpoch(epoch, total) {
      multi = new cliProgress.MultiBar(
        {
          stream,
          format: 'epoch {epoch} {bar} {value}/{total} batches | {speed} samples/s | ppl {ppl} | eta {eta_formatted}',
          barsize: 30,
          hideCursor: true,
          clearOnComplete: true,
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      );
      bar = multi.create(total, 0, { epoch: epoch + 1, speed: '-', ppl: '-' });
      tic = performance.now();
    },
    batchEnd(param) {
      if (!bar) return;
      const samples = (param.locals?.['samples'] as number | undefined) ?? 0;
      const seconds = (performance.now() - tic) / 1000;
      const [[, ppl] = ['', NaN]] = param.evalMetric?.getGlobalNameValue() ?? [];
      bar.update(param.nbatch + 1, {
        speed: seconds > 0 ? (samples / seconds).toFixed(1) : '-',
        ppl: Number.isFinite(ppl) ? ppl.toFixed(2) : '-',
      });
    },
    stop() {
      multi?.update(); // writes the lines logged since the last redraw, which stop() would drop
      multi?.stop();
      multi = null;
      bar = null;
    },
  };
}

/** The bar on a terminal, plain lines otherwise. */
export const runDisplay = (): RunDisplay => (process.stdout.isTTY ? barDisplay() : plainDisplay());
