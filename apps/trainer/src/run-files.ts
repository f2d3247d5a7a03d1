// What a checkpoint needs besides its parameters to be evaluated, sampled or resumed: the network's
// configuration, the buckets, where the data came from (`<prefix>-run.json`) and the vocabulary
// (`<prefix>-vocab.json`). Both are written atomically when training starts, and every checkpoint's
// manifest records their sizes and checksums: a checkpoint counts as complete only with the run files
// it was trained with (a new run started on the same prefix makes the old epochs incomplete).

import { existsSync, readFileSync } from 'node:fs';
import { listCheckpoints, model, verifyCheckpoint } from '@bkt/module';
import { ValueError, writeFileAtomic } from '@bkt/ndarray';
import type { LMConfig } from './model.js';
import { loadVocab, saveVocab, type Vocab } from './text-data.js';

/** The training text: the built-in corpus (regenerated from its seed) or two files. */
export type DataSpec =
  | { kind: 'builtin'; seed: number; sentences?: number; floorPpl: number }
  | { kind: 'files'; train: string; valid: string; vocabFromValid?: boolean };

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

/** Writes `<prefix>-run.json` and `<prefix>-vocab.json`. */
export function saveRunFiles(prefix: string, run: RunFile, vocab: Vocab): void {
  writeFileAtomic('saveRunFiles', runFileOf(prefix), `${JSON.stringify(run, null, 2)}\n`);
  saveVocab(vocabFileOf(prefix), vocab);
}

/** Reads them back; a missing file is a ValueError that says which checkpoint it belongs to. */
export function loadRunFiles(prefix: string): { run: RunFile; vocab: Vocab } {
  const file = runFileOf(prefix);
  if (!existsSync(file))
    throw new ValueError(
      `no checkpoint with prefix '${prefix}': '${file}' does not exist (give the prefix used with --checkpoint)`,
    );
  let run: RunFile;
  try {
    run = JSON.parse(readFileSync(file, 'utf8')) as RunFile;
  } catch (e) {
    throw new ValueError(`cannot read '${file}': ${(e as Error).message}`);
  }
  if (!run.model || !Array.isArray(run.buckets) || !run.data) throw new ValueError(`'${file}' is not a bkt-train run file`);
  return { run, vocab: loadVocab(vocabFileOf(prefix)) };
}

/** The files besides the module's own that a checkpoint of `prefix` needs. */
export const runFilesOf = (prefix: string): string[] => [runFileOf(prefix), vocabFileOf(prefix)];

/**
 * For eval and generate: throws unless `<prefix>-<epoch>.params` exists (listing the epochs that do)
 * or when the checkpoint's manifest does not verify. Without a manifest the parameters load as
 * MXNet's would; resuming needs more (completeCheckpointEpoch).
 */
export function checkEpochExists(prefix: string, epoch: number): void {
  const params = model.paramsFile(prefix, epoch);
  if (!existsSync(params)) {
    const epochs = listCheckpoints(prefix)
      .filter((c) => c.complete)
      .map((c) => c.epoch);
    throw new ValueError(
      `checkpoint '${prefix}:${epoch}' does not exist ('${params}' is missing${epochs.length > 0 ? `; complete ones: ${epochs.join(', ')}` : ''})`,
    );
  }
  verifyCheckpoint(prefix, epoch);
}

/**
 * The epoch to resume: `epoch` when given and its checkpoint is complete (else a ValueError naming
 * the newest complete one), or the newest complete checkpoint of `prefix`, logging each newer
 * incomplete one it skips and why. Complete means the manifest exists and verifies.
 */
export function completeCheckpointEpoch(prefix: string, epoch: number | undefined, log: (m: string) => void): number {
  const all = listCheckpoints(prefix);
  const complete = all.filter((c) => c.complete);
  const newest = complete.at(-1);
  const hint = newest ? `the newest complete one is ${prefix}:${newest.epoch}` : `'${prefix}' has no complete checkpoint`;
  if (epoch !== undefined) {
    const entry = all.find((c) => c.epoch === epoch);
    if (!entry)
      throw new ValueError(
        `--resume: checkpoint '${prefix}:${epoch}' does not exist ('${model.paramsFile(prefix, epoch)}' is missing; ${hint})`,
      );
    if (!entry.complete)
      throw new ValueError(
        `--resume: checkpoint '${prefix}:${epoch}' is incomplete: ${entry.reason} (${hint}; --resume ${prefix} picks it)`,
      );
    return epoch;
  }
  if (!newest) {
    const why = all.length > 0 ? `; incomplete: ${all.map((c) => `${c.epoch} (${c.reason})`).join(', ')}` : '';
    throw new ValueError(
      `--resume: '${prefix}' has no complete checkpoint (no ${prefix}-NNNN.manifest.json that verifies${why})`,
    );
  }
  for (const c of all) if (c.epoch > newest.epoch) log(`Skipping incomplete checkpoint ${prefix}:${c.epoch}: ${c.reason}`);
  return newest.epoch;
}
