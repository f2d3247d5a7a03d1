// The JSONL metrics log (`--log FILE`): one object per finished epoch. The whole file is rewritten
// atomically after each epoch, so a reader never sees half a line; a resumed run keeps the earlier
// epochs' lines that precede the epoch it resumes from.

import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '@bkt/ndarray';

/** One epoch's line. */
export interface EpochRecord {
  /** 1-based: the number of epochs trained when the line was written (checkpoint numbering). */
  epoch: number;
  train_ppl: number;
  valid_ppl: number | null;
  /** The source's true perplexity (built-in corpus only). */
  floor_ppl?: number;
  /** Real (non-padding) tokens per second of training. */
  tokens_per_s: number;
  samples_per_s: number;
  /** Training time of the epoch (validation excluded). */
  seconds: number;
}

/** Reads the records of an existing log (for a resumed run); a missing file gives none. */
export function readMetricsLog(file: string): EpochRecord[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as EpochRecord);
}

/** Writes `records` as the log's content. */
export function writeMetricsLog(file: string, records: readonly EpochRecord[]): void {
  writeFileAtomic('--log', file, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
}
