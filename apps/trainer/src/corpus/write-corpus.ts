// Writes a corpus as PTB-style text files (one sentence a line, words separated by spaces), each
// through a temporary file renamed into place so a reader never sees half a file.

import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NativeError } from '@bkt/ndarray';

/** Writes `train.txt` and `valid.txt` into `dir` (created if missing); returns their paths. */
export function writeCorpus(dir: string, corpus: { readonly train: readonly string[]; readonly valid: readonly string[] }): { train: string; valid: string } {
  const paths = { train: join(dir, 'train.txt'), valid: join(dir, 'valid.txt') };
  for (const part of ['train', 'valid'] as const) {
    const path = paths[part];
    const tmp = `${path}.${process.pid}.tmp`;
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(tmp, corpus[part].map((s) => `${s}\n`).join(''));
      renameSync(tmp, path);
    } catch (e) {
      try {
        rmSync(tmp, { force: true });
      } catch {
        // the temporary file's directory does not exist either
      }
      throw new NativeError(`writeCorpus: cannot write '${path}': ${(e as Error).message}`);
    }
  }
  return paths;
}
