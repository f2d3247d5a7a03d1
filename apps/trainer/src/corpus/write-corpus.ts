// Writes a corpus as PTB-style text files (one sentence a line, words separated by spaces), each
// written atomically so a reader never sees half a file.

import { join } from 'node:path';
import { writeFileAtomic } from '@bkt/ndarray';
import { ensureWritableDir } from '../output-dirs.js';

/** Writes `train.txt` and `valid.txt` into `dir` (created if missing); returns their paths. */
export function writeCorpus(
  dir: string,
  corpus: { readonly train: readonly string[]; readonly valid: readonly string[] },
): { train: string; valid: string } {
  const paths = { train: join(dir, 'train.txt'), valid: join(dir, 'valid.txt') };
  ensureWritableDir('writeCorpus', dir);
  for (const part of ['train', 'valid'] as const)
    writeFileAtomic('writeCorpus', paths[part], corpus[part].map((s) => `${s}\n`).join(''));
  return paths;
}
