// The folders bkt-train writes into, made and proven writable before any work starts. Node's
// recursive mkdir never returns under /proc (each mkdir there fails with ENOENT, which it reads as
// "make the parent first", forever), so missing folders are made one at a time from the nearest
// existing ancestor, and a probe file shows the folder takes files.

import { existsSync, mkdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ValueError } from '@bkt/ndarray';

const reason = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/** Creates `dir` (and missing parents) and checks it is writable; `what` names the option for errors. */
export function ensureWritableDir(what: string, dir: string): void {
  const target = resolve(dir);
  const missing: string[] = [];
  let existing = target;
  while (!existsSync(existing)) {
    missing.unshift(existing);
    existing = dirname(existing);
  }
  if (!statSync(existing).isDirectory())
    throw new ValueError(`${what}: cannot write into '${dir}': '${existing}' is not a folder`);
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (e) {
      throw new ValueError(`${what}: cannot create the folder '${d}' (${reason(e)})`);
    }
  }
  const probe = join(target, `.bkt-write-probe-${process.pid}`);
  try {
    writeFileSync(probe, '');
    unlinkSync(probe);
  } catch (e) {
    throw new ValueError(`${what}: the folder '${dir}' is not writable (${reason(e)})`);
  }
}

/** ensureWritableDir for the folder `file` goes into (a checkpoint prefix, log or report). */
export const ensureParentDir = (what: string, file: string): void => ensureWritableDir(what, dirname(file));
