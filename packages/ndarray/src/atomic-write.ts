// Every file bkt writes goes to a temporary file next to the target and is renamed into place, so a
// crash never leaves a half-written state file under the real name.
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';

import { NativeError } from './errors.js';

/** Writes `bytes` (or a string as UTF-8) to `path` atomically; failures raise NativeError naming `op`. */
export function writeFileAtomic(op: string, path: string, bytes: Uint8Array | string): void {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  const tmp = `${path}.${process.pid}.${Date.now().toString(36)}.tmp`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      let done = 0;
      while (done < data.byteLength) done += writeSync(fd, data, done);
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
