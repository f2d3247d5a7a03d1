// `bkt-train translate`: translates a file (or standard input), one sentence a line, with a
// checkpoint of `bkt-train seq2seq`; one translation a line on standard output (an empty line for
// an empty one). Words the source vocabulary lacks are read as <unk>.

import { setNumThreads } from '@bkt/ndarray';
import type { CheckpointRef } from '../options.js';
import { loadTranslator } from '../seq2seq/run-files.js';
import { encodeWith, readTextLines } from '../text-data.js';

export interface TranslateOptions {
  checkpoint: CheckpointRef;
  /** A file; undefined reads standard input. */
  input?: string;
  beamSize: number;
  lengthPenalty: number;
  batchRows: number;
  maxLengthRatio: number;
  threads?: number;
}

/** Translations of `lines` (one per line) by the checkpoint. */
export function translateLines(lines: readonly string[], o: TranslateOptions): string[] {
  const { translator, vocabs } = loadTranslator(o.checkpoint.prefix, o.checkpoint.epoch, {
    batchRows: o.batchRows,
    maxLengthRatio: o.maxLengthRatio,
  });
  try {
    const words = new Map([...vocabs.target].map(([w, i]) => [i, w]));
    const tokens = lines.map((l) => l.split(/\s+/).filter((w) => w !== ''));
    const real = [...tokens.keys()].filter((i) => tokens[i]!.length > 0);
    const ids = translator.translate(
      encodeWith(
        real.map((i) => tokens[i]!),
        vocabs.source,
      ),
      { beamSize: o.beamSize, lengthPenalty: o.lengthPenalty },
    );
    const out = lines.map(() => '');
    real.forEach((i, k) => (out[i] = ids[k]!.map((t) => words.get(t)!).join(' ')));
    return out;
  } finally {
    translator.dispose();
  }
}

/** Runs `bkt-train translate`; resolves with the exit code. */
export async function runTranslate(o: TranslateOptions): Promise<number> {
  if (o.threads !== undefined) setNumThreads(o.threads);
  const out = translateLines(readTextLines(o.input, '--input'), o);
  process.stdout.write(out.map((l) => `${l}\n`).join(''));
  return 0;
}
