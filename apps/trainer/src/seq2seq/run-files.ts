// What a translation checkpoint needs besides its parameters: the network's configuration, the
// bucket grid, where the data came from and the seed (`<prefix>-seq2seq.json`), and the two
// vocabularies (`<prefix>-source-vocab.json`, `<prefix>-target-vocab.json`), written atomically
// when training starts and listed in every checkpoint's manifest (a checkpoint is complete only with
// the run files it was trained with, as the LM's); and the Translator of a checkpoint.

import { existsSync, readFileSync } from 'node:fs';
import { loadParams } from '@bkt/module';
import { ValueError, writeFileAtomic } from '@bkt/ndarray';
import { checkEpochExists } from '../run-files.js';
import { EOS, loadVocab, saveVocab } from '../text-data.js';
import { BOS, type ParallelDataSpec, type Seq2SeqVocabs } from './data.js';
import { Translator } from './decode.js';
import { type Seq2SeqConfig, seq2seqSymGen } from './model.js';

export interface Seq2SeqRunFile {
  format: 'bkt-seq2seq';
  model: Seq2SeqConfig;
  grid: { source: number[]; target: number[] };
  data: ParallelDataSpec;
  seed: number;
}

const runFileOf = (prefix: string): string => `${prefix}-seq2seq.json`;
const vocabFiles = (prefix: string): [string, string] => [`${prefix}-source-vocab.json`, `${prefix}-target-vocab.json`];

/** The files besides the module's own that a checkpoint of `prefix` needs (its manifest checks them). */
export const seq2seqRunFilesOf = (prefix: string): string[] => [runFileOf(prefix), ...vocabFiles(prefix)];

export function saveSeq2SeqRunFiles(prefix: string, run: Seq2SeqRunFile, vocabs: Seq2SeqVocabs): void {
  writeFileAtomic('saveSeq2SeqRunFiles', runFileOf(prefix), `${JSON.stringify(run, null, 2)}\n`);
  const [s, t] = vocabFiles(prefix);
  saveVocab(s, vocabs.source);
  saveVocab(t, vocabs.target);
}

export function loadSeq2SeqRunFiles(prefix: string): { run: Seq2SeqRunFile; vocabs: Seq2SeqVocabs } {
  const file = runFileOf(prefix);
  if (!existsSync(file))
    throw new ValueError(
      `no translation checkpoint with prefix '${prefix}': '${file}' does not exist (give the prefix used with bkt-train seq2seq --checkpoint)`,
    );
  let run: Seq2SeqRunFile;
  try {
    run = JSON.parse(readFileSync(file, 'utf8')) as Seq2SeqRunFile;
  } catch (e) {
    throw new ValueError(`cannot read '${file}': ${(e as Error).message}`);
  }
  if (run?.format !== 'bkt-seq2seq' || !run.model || !run.grid || !run.data)
    throw new ValueError(`'${file}' is not a bkt-train seq2seq run file`);
  const [s, t] = vocabFiles(prefix);
  const vocabs = { source: loadVocab(s), target: loadVocab(t) };
  if (!vocabs.target.has(BOS) || !vocabs.target.has(EOS))
    throw new ValueError(`'${t}' lacks ${BOS} or ${EOS}; it was not written by bkt-train seq2seq`);
  return { run, vocabs };
}

export interface LoadedTranslator {
  translator: Translator;
  run: Seq2SeqRunFile;
  vocabs: Seq2SeqVocabs;
}

/** The Translator of checkpoint `prefix:epoch`. */
export function loadTranslator(
  prefix: string,
  epoch: number,
  o: { batchRows?: number; maxLengthRatio?: number } = {},
): LoadedTranslator {
  const { run, vocabs } = loadSeq2SeqRunFiles(prefix);
  checkEpochExists(prefix, epoch);
  const { argParams, auxParams } = loadParams(prefix, epoch);
  try {
    const translator = new Translator({
      symGen: seq2seqSymGen(run.model),
      argParams,
      auxParams,
      sourceBuckets: run.grid.source,
      bosId: vocabs.target.get(BOS)!,
      eosId: vocabs.target.get(EOS)!,
      ...o,
    });
    return { translator, run, vocabs };
  } finally {
    for (const a of [...Object.values(argParams), ...Object.values(auxParams)]) a.dispose();
  }
}
