// `bkt-train eval-bleu`: corpus BLEU (sacreBLEU's defaults) and exact match of translations against
// references. The translations are a file (--hypotheses), or made by a checkpoint from --source;
// a checkpoint trained on the built-in parallel corpus without --source translates that corpus's
// held-out test set.

import { setNumThreads, ValueError } from '@bkt/ndarray';
import { corpusBleu, exactMatch } from '../bleu.js';
import type { CheckpointRef } from '../options.js';
import { loadParallelData } from '../seq2seq/data.js';
import { loadSeq2SeqRunFiles } from '../seq2seq/run-files.js';
import { readTextLines } from '../text-data.js';
import { translateLines } from './translate.js';

export interface EvalBleuOptions {
  checkpoint?: CheckpointRef;
  hypotheses?: string;
  source?: string;
  reference?: string;
  beamSize: number;
  lengthPenalty: number;
  batchRows: number;
  maxLengthRatio: number;
  json?: boolean;
  threads?: number;
}

/** Runs `bkt-train eval-bleu`; resolves with the exit code. */
export async function runEvalBleu(o: EvalBleuOptions): Promise<number> {
  if (o.threads !== undefined) setNumThreads(o.threads);
  if ((o.hypotheses === undefined) === (o.checkpoint === undefined))
    throw new ValueError('give either --hypotheses (a file of translations) or --checkpoint (to translate --source)');
  if (o.hypotheses !== undefined && o.source !== undefined)
    throw new ValueError('--source goes with --checkpoint, not --hypotheses');
  let hyps: string[];
  let refs: string[];
  let what: string;
  if (o.hypotheses !== undefined) {
    if (o.reference === undefined) throw new ValueError('--hypotheses needs --reference');
    hyps = readTextLines(o.hypotheses, '--hypotheses');
    refs = readTextLines(o.reference, '--reference');
    what = o.hypotheses;
  } else if (o.source !== undefined) {
    if (o.reference === undefined) throw new ValueError('--source needs --reference');
    refs = readTextLines(o.reference, '--reference');
    hyps = translateLines(readTextLines(o.source, '--source'), { ...o, checkpoint: o.checkpoint! });
    what = `${o.checkpoint!.prefix}:${o.checkpoint!.epoch} on ${o.source}`;
  } else {
    if (o.reference !== undefined) throw new ValueError('--reference needs --source (or --hypotheses)');
    const { run } = loadSeq2SeqRunFiles(o.checkpoint!.prefix);
    if (run.data.kind !== 'builtin') throw new ValueError('the checkpoint was trained on files: give --source and --reference');
    const test = loadParallelData(run.data).test!;
    refs = test.map((p) => p.target.join(' '));
    hyps = translateLines(
      test.map((p) => p.source.join(' ')),
      { ...o, checkpoint: o.checkpoint! },
    );
    what = `${o.checkpoint!.prefix}:${o.checkpoint!.epoch} on the built-in test set`;
  }
  if (hyps.length !== refs.length) throw new ValueError(`${hyps.length} translations but ${refs.length} references`);
  const b = corpusBleu(hyps, [refs]);
  const result = {
    translations: what,
    sentences: hyps.length,
    bleu: b.score,
    exact_match: exactMatch(hyps, refs),
    precisions: b.precisions,
    brevity_penalty: b.brevityPenalty,
    sys_len: b.sysLen,
    ref_len: b.refLen,
  };
  if (o.json) console.log(JSON.stringify(result));
  else {
    const p = b.precisions.map((x) => x.toFixed(1)).join('/');
    console.log(
      `BLEU = ${b.score.toFixed(2)} ${p} (BP = ${b.brevityPenalty.toFixed(3)} ratio = ${(b.sysLen / b.refLen).toFixed(3)} hyp_len = ${b.sysLen} ref_len = ${b.refLen})`,
    );
    console.log(`exact match ${(result.exact_match * 100).toFixed(2)}% of ${hyps.length} sentences (${what})`);
  }
  return 0;
}
