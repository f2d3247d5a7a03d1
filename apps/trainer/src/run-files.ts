// What a checkpoint needs besides its parameters to be evaluated, sampled or resumed: the network's
// configuration, the buckets, where the data came from (`<prefix>-run.json`) and the vocabulary
// (`<prefix>-vocab.json`). Both are written atomically when training starts.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ValueError, writeFileAtomic } from '@bkt/ndarray';
import type { LMConfig } from './model.js';
import { loadVocab, saveVocab, type Vocab } from './text-data.js';

/** The training text: the built-in corpus (regenerated from its seed) or two files. */
export type DataSpec = { kind: 'builtin'; seed: number; sentences?: number; floorPpl: number } | { kind: 'files'; train: string; valid: string; vocabFromValid?: boolean };

export interface RunFile {
  model: LMConfig;
  /** Every sentence ends with `</s>`. */
  eos: boolean;
  buckets: number[];
  data: DataSpec;
  /** Seeds the epochs' shuffles; a resumed run keeps it. */
  seed: number;
}

export const runFileOf = (prefix: string): string => `${prefix}-run.json`;
export const vocabFileOf = (prefix: string): string => `${prefix}-vocab.json`;

/** Creates the folder `file` goes into (a checkpoint prefix, log or report in a new folder). */
export function ensureParentDir(file: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (e) {
    throw new ValueError(`cannot create the folder of '${file}': ${(e as Error).message}`);
  }
}

/** Writes `<prefix>-run.json` and `<prefix>-vocab.json`. */
export function saveRunFiles(prefix: string, run: RunFile, vocab: Vocab): void {
  writeFileAtomic('saveRunFiles', runFileOf(prefix), `${JSON.stringify(run, null, 2)}\n`);
  saveVocab(vocabFileOf(prefix), vocab);
}

/** Reads them back; a missing file is a ValueError that says which checkpoint it belongs to. */
export function loadRunFiles(prefix: string): { run: RunFile; vocab: Vocab } {
  const file = runFileOf(prefix);
  if (!existsSync(file)) throw new ValueError(`no checkpoint with prefix '${prefix}': '${file}' does not exist (give the prefix used with --checkpoint)`);
  let run: RunFile;
  try {
    run = JSON.parse(readFileSync(file, 'utf8')) as RunFile;
  } catch (e) {
    throw new ValueError(`cannot read '${file}': ${(e as Error).message}`);
  }
  if (!run.model || !Array.isArray(run.buckets) || !run.data) throw new ValueError(`'${file}' is not a bkt-train run file`);
  return { run, vocab: loadVocab(vocabFileOf(prefix)) };
}

/** Throws unless `<prefix>-<epoch>.params` exists, listing the epochs that do. */
export function checkEpochExists(prefix: string, epoch: number): void {
  const params = `${prefix}-${String(epoch).padStart(4, '0')}.params`;
  if (!existsSync(params)) throw new ValueError(`checkpoint '${prefix}:${epoch}' does not exist ('${params}' is missing)`);
}
