// Every file bkt writes goes to a temporary file next to the target and is renamed into place, so a
// crash never leaves a half-written state file under the real name.
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';

import { NativeError } from '@bkt/ndarray';

export function writeFileAtomic(op: string, path: string, bytes: Uint8Array): void {
  const tmp = `${path}.${process.pid}.${Date.now().toString(36)}.tmp`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      let done = 0;
      while (done < bytes.byteLength) done += writeSync(fd, bytes, done);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // the temporary file was never created
    }
    throw new NativeError(`${op}: cannot write '${path}': ${(e as Error).message}`);
  }
}
