// Text files (vocabularies, configs, logs, reports) are written next to their target and renamed
// into place, so an interrupted run never leaves a half-written file under the real name.

import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { ValueError } from '@bkt/ndarray';

/** Writes `text` to `file` through a temporary file and a rename. */
export function writeTextAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new ValueError(`cannot write '${file}': ${(e as Error).message}`);
  }
}
