// A checkpoint is complete only when its manifest `<prefix>-<epoch:04d>.manifest.json` exists: it is
// written last, atomically, after every part, and lists the epoch's own files (parameters, optimizer
// states) with their sizes and SHA-256, plus the files it shares with the prefix's other epochs
// (symbols, bucket lists, a trainer's run files). A kill at any point therefore leaves either a
// complete checkpoint or one without a manifest (or, when an existing epoch is being rewritten, one
// whose manifest no longer matches). Shared files are rewritten by each save (each atomically, with
// the same content unless a later epoch bound more buckets), so for them the manifest checks presence
// only. Files MXNet wrote have no manifest; loading those goes on as MXNet does (see checkpoint.ts).

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FormatError, ValueError, writeFileAtomic } from '@bkt/ndarray';

const epochTag = (epoch: number): string => String(epoch).padStart(4, '0');

export const manifestFile = (prefix: string, epoch: number): string => `${prefix}-${epochTag(epoch)}.manifest.json`;

interface ManifestEntry {
  name: string;
  bytes: number;
  sha256: string;
}

interface Manifest {
  format: 'bkt-checkpoint';
  version: 1;
  epoch: number;
  files: ManifestEntry[];
  shared: string[];
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

// Names are stored relative to the prefix's folder, so a checkpoint folder can be moved whole.
function relativeName(fn: string, prefix: string, file: string): string {
  if (dirname(file) !== dirname(prefix))
    throw new ValueError(`${fn}: '${file}' is not in the folder of the checkpoint prefix '${prefix}'`);
  return basename(file);
}

/** Writes the manifest of `<prefix>-<epoch>` last, atomically, once `files` and `shared` are on disk. */
export function writeManifest(prefix: string, epoch: number, files: readonly string[], shared: readonly string[]): void {
  const manifest: Manifest = {
    format: 'bkt-checkpoint',
    version: 1,
    epoch,
    files: files.map((file) => {
      const name = relativeName('saveCheckpoint', prefix, file);
      if (!existsSync(file)) throw new ValueError(`saveCheckpoint: '${file}' does not exist, so the checkpoint cannot list it`);
      const bytes = readFileSync(file);
      return { name, bytes: bytes.byteLength, sha256: sha256(bytes) };
    }),
    shared: shared.map((file) => relativeName('saveCheckpoint', prefix, file)),
  };
  writeFileAtomic('saveCheckpoint', manifestFile(prefix, epoch), `${JSON.stringify(manifest, null, 1)}\n`);
}

function readManifest(file: string): Manifest {
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch (e) {
    throw new FormatError(`${file}: not a checkpoint manifest (${(e as Error).message})`);
  }
  const entryOk = (f: ManifestEntry): boolean =>
    typeof f?.name === 'string' && Number.isSafeInteger(f.bytes) && typeof f.sha256 === 'string';
  if (
    m?.format !== 'bkt-checkpoint' ||
    m.version !== 1 ||
    !Array.isArray(m.files) ||
    !m.files.every(entryOk) ||
    !Array.isArray(m.shared) ||
    !m.shared.every((s) => typeof s === 'string')
  ) {
    throw new FormatError(`${file}: not a bkt checkpoint manifest (format bkt-checkpoint, version 1)`);
  }
  return m;
}

/**
 * Checks `<prefix>-<epoch>` against its manifest: 'verified' when every listed file is there with its
 * size and checksum, 'no-manifest' when there is none (an MXNet checkpoint, or a bkt one cut short).
 * A manifest that does not match raises FormatError naming the file and what differs.
 */
export function verifyCheckpoint(prefix: string, epoch: number): 'verified' | 'no-manifest' {
  const file = manifestFile(prefix, epoch);
  if (!existsSync(file)) return 'no-manifest';
  const m = readManifest(file);
  const dir = dirname(prefix);
  for (const f of m.files) {
    const path = join(dir, f.name);
    if (!existsSync(path)) throw new FormatError(`checkpoint ${prefix}:${epoch}: '${path}' is missing (the manifest lists it)`);
    const size = statSync(path).size;
    if (size !== f.bytes)
      throw new FormatError(`checkpoint ${prefix}:${epoch}: '${path}' has ${size} bytes, the manifest says ${f.bytes}`);
    if (sha256(readFileSync(path)) !== f.sha256)
      throw new FormatError(
        `checkpoint ${prefix}:${epoch}: '${path}' does not match the manifest's checksum (rewritten or damaged)`,
      );
  }
  for (const s of m.shared) {
    const path = join(dir, s);
    if (!existsSync(path)) throw new FormatError(`checkpoint ${prefix}:${epoch}: '${path}' is missing (the manifest lists it)`);
  }
  return 'verified';
}

/** One epoch found under a prefix: complete (its manifest verifies) or why not. */
export interface CheckpointEntry {
  epoch: number;
  complete: boolean;
  /** Why it is not complete. */
  reason?: string;
}

/**
 * Every epoch of `prefix` that has a `.params` file or a manifest, oldest first; an epoch is complete
 * when its manifest exists and verifies.
 */
export function listCheckpoints(prefix: string): CheckpointEntry[] {
  const dir = dirname(prefix);
  const base = basename(prefix);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const epochs = new Set<number>();
  const pattern = /^-(\d{4,})\.(?:params|manifest\.json)$/;
  for (const name of names) {
    if (!name.startsWith(base)) continue;
    const m = pattern.exec(name.slice(base.length));
    if (m) epochs.add(Number(m[1]));
  }
  return [...epochs]
    .sort((a, b) => a - b)
    .map((epoch) => {
      try {
        return verifyCheckpoint(prefix, epoch) === 'verified'
          ? { epoch, complete: true }
          : {
              epoch,
              complete: false,
              reason: 'it has no manifest (cut short while being written, or written by MXNet or a bkt without manifests)',
            };
      } catch (e) {
        return { epoch, complete: false, reason: (e as Error).message };
      }
    });
}
