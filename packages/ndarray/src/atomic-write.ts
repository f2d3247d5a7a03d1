// Every file bkt writes follows one protocol, here for TS writers and in AtomicFile (native
// core/params_io.cc) for `save`; the README's "Atomic writes" lists it and tests check each step:
//   1. a fresh temporary file `<path>.tmp-<pid>-<16 hex digits>` next to the target, created with
//      O_CREAT | O_EXCL (never follows or reuses an existing file; a name collision retries, 8 times);
//   2. the bytes are written and fsync'd, the file closed;
//   3. it is renamed over the target (a reader or a crash sees the old file or the new one, whole);
//   4. the directory is fsync'd, best effort (the new content is already in place);
//   on any failure the temporary file is removed and nothing under the target name changes.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

import { NativeError } from './errors.js';

const CREATE_FRESH = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
const NAME_ATTEMPTS = 8;

function createTemporary(path: string): { tmp: string; fd: number } {
  for (let attempt = 0; ; attempt++) {
    const tmp = `${path}.tmp-${process.pid}-${randomBytes(8).toString('hex')}`;
    try {
      return { tmp, fd: openSync(tmp, CREATE_FRESH, 0o666) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt + 1 >= NAME_ATTEMPTS) throw e;
    }
  }
}

function syncDirectory(path: string): void {
  try {
    const fd = openSync(dirname(path), constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // best effort: the rename has already happened
  }
}

/** Writes `bytes` (or a string as UTF-8) to `path` atomically; failures raise NativeError naming `op`. */
export function writeFileAtomic(op: string, path: string, bytes: Uint8Array | string): void {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  let tmp: string | undefined;
  try {
    const created = createTemporary(path);
    tmp = created.tmp;
    try {
      let done = 0;
      while (done < data.byteLength) done += writeSync(created.fd, data, done);
      fsyncSync(created.fd);
    } finally {
      closeSync(created.fd);
    }
    renameSync(tmp, path);
    tmp = undefined;
  } catch (e) {
    if (tmp !== undefined) {
      try {
        unlinkSync(tmp);
      } catch {
        // already gone
      }
    }
    throw new NativeError(`${op}: cannot write '${path}': ${(e as Error).message}`);
  }
  syncDirectory(path);
}
