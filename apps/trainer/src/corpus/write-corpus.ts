// Writes a corpus as PTB-style text files (one sentence a line, words separated by spaces), each
// written atomically so a reader never sees half a file.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { NativeError, writeFileAtomic } from '@bkt/ndarray';

/** Writes `train.txt` and `valid.txt` into `dir` (created if missing); returns their paths. */
export function writeCorpus(dir: string, corpus: { readonly train: readonly string[]; readonly valid: readonly string[] }): { train: string; valid: string } {
  const paths = { train: join(dir, 'train.txt'), valid: join(dir, 'valid.txt') };
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new NativeError(`writeCorpus: cannot create '${dir}': ${(e as Error).message}`);
  }
  for (const part of ['train', 'valid'] as const) writeFileAtomic('writeCorpus', paths[part], corpus[part].map((s) => `${s}\n`).join(''));
  return paths;
}
