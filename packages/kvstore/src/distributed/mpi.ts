// The MPI addon (native/, built only where Open MPI is installed), loaded on the first distributed
// store, never at import: a machine without MPI uses every other store. One communicator per process,
// shared by every distributed store; it is finalized when the process ends normally (an abnormal end
// skips MPI_Finalize, so mpirun stops the other ranks instead of leaving them waiting).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { addonLoadError, NativeError, StateError } from '@bkt/ndarray';

type Memory = ArrayBuffer | ArrayBufferView;

/** Every export of the MPI addon (napi/module.cc); test/native-surface.test.ts checks it against the built addon. */
interface DistBinding {
  init(): { rank: number; size: number };
  allreduceSum(buffer: Memory, dtypeCode: number): number;
  broadcast(buffer: Memory, dtypeCode: number, root: number): number;
  allgather(send: Memory, recv: Memory): number;
  barrier(): number;
  send(bytes: Memory, dest: number, tag: number): number;
  recv(bytes: Memory, source: number, tag: number, status: Int32Array): number;
  probe(source: number, tag: number, status: Int32Array): number;
  /** Returns when the comm thread started the request (ms, the monotonic clock of process.hrtime). */
  wait(ticket: number, timeoutSeconds: number): number;
  finalize(): void;
}

/** This package's folder: the nearest one above this module with a package.json (src/distributed/ or the bundled dist/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** Where the build puts the addon. */
export const mpiAddonPath = join(packageRoot(), 'native', 'build', 'Release', 'bkt_dist.node');

const INSTALL_HINT = 'apt-get install openmpi-bin libopenmpi-dev';
/** The addon links libmpi; a source build needs Open MPI's headers and compiler wrapper. */
const MPI_NEEDS = { libraries: { 'libmpi.so.40': 'libopenmpi3' }, build: `g++, make, python3 and Open MPI (${INSTALL_HINT})` };

/** Loads the addon at `path`; a missing addon or MPI library is a NativeError saying what to install. */
export function loadMpiAddon(op: string, path: string): DistBinding {
  if (!existsSync(path)) {
    throw new NativeError(
      `${op}: the distributed kvstores need Open MPI, and bkt's MPI addon is not built (${path}). ` +
        `Install Open MPI with \`${INSTALL_HINT}\`, then build the addon: \`npm rebuild @bkt/kvstore\` in a project that installed ` +
        "@bkt/kvstore (with pnpm, allow its install script with `onlyBuiltDependencies: ['@bkt/kvstore']`), or `npm run setup` in the bkt repository.",
    );
  }
  try {
    return createRequire(import.meta.url)(path) as DistBinding;
  } catch (e) {
    throw addonLoadError(`${op} (@bkt/kvstore)`, path, e as Error, MPI_NEEDS);
  }
}

/** Seconds a wait for the other ranks may take before it is an error (BKT_KVSTORE_TIMEOUT, default 300). */
function timeoutSeconds(): number {
  const given = process.env['BKT_KVSTORE_TIMEOUT'];
  const t = given === undefined ? 300 : Number(given);
  if (!Number.isFinite(t) || t <= 0)
    throw new StateError(`BKT_KVSTORE_TIMEOUT must be a positive number of seconds, got '${given}'`);
  return t;
}

/** This process's MPI rank, a ticketed queue of collectives running on the addon's thread. */
export class Communicator {
  readonly rank: number;
  readonly size: number;
  readonly #native: DistBinding;
  readonly #timeout: number;

  constructor(native: DistBinding) {
    this.#native = native;
    this.#timeout = timeoutSeconds();
    try {
      ({ rank: this.rank, size: this.size } = native.init());
    } catch (e) {
      throw new NativeError(`MPI could not start: ${(e as Error).message}`);
    }
  }

  /** Sums `memory` (elements of dtype code `dtypeCode`) over all ranks, in place, off the JS thread. */
  allreduceSum(memory: Memory, dtypeCode: number): number {
    return this.#native.allreduceSum(memory, dtypeCode);
  }

  /** Copies root's `memory` into every rank's. */
  broadcast(memory: Memory, dtypeCode: number, root: number): number {
    return this.#native.broadcast(memory, dtypeCode, root);
  }

  /** Every rank's `send` bytes, in rank order, into `recv`. */
  allgather(send: Memory, recv: Memory): number {
    return this.#native.allgather(send, recv);
  }

  barrier(): number {
    return this.#native.barrier();
  }

  /** Sends `bytes` to rank `dest` with `tag` (point to point). */
  send(bytes: Memory, dest: number, tag: number): number {
    return this.#native.send(bytes, dest, tag);
  }

  /** Receives a message into `bytes` (source or tag ANY: any); `status` gets its source, tag and byte count. */
  recv(bytes: Memory, source: number, tag: number, status: Int32Array): number {
    return this.#native.recv(bytes, source, tag, status);
  }

  /** Waits for a matching message without receiving it; `status` gets its source, tag and byte count. */
  probe(source: number, tag: number, status: Int32Array): number {
    return this.#native.probe(source, tag, status);
  }

  /**
   * Waits for a ticket; `what` names the operation (and key) in the error. Returns when the comm
   * thread started it, in ms of the clock `monotonicMs` reads.
   */
  wait(ticket: number, what: string, opts: { forever?: boolean } = {}): number {
    try {
      return this.#native.wait(ticket, opts.forever === true ? 0 : this.#timeout);
    } catch (e) {
      const err = e as Error & { code?: string };
      const where = `${what}: rank ${this.rank} of ${this.size}`;
      if (err.code === 'TIMEOUT') {
        throw new StateError(
          `${where}: ${err.message} (do all workers call the same kvstore operations in the same order? BKT_KVSTORE_TIMEOUT sets the limit)`,
        );
      }
      throw new NativeError(`${where}: ${err.message}`);
    }
  }

  /** Every rank's string, in rank order (two collectives: the lengths, then the padded bytes). */
  allgatherStrings(what: string, text: string): string[] {
    const mine = new TextEncoder().encode(text);
    const lengths = new Int32Array(this.size);
    this.wait(this.allgather(new Int32Array([mine.length]), lengths), what);
    const width = Math.max(...lengths);
    const send = new Uint8Array(width);
    send.set(mine);
    const all = new Uint8Array(width * this.size);
    this.wait(this.allgather(send, all), what);
    const decoder = new TextDecoder();
    return [...lengths].map((n, r) => decoder.decode(all.subarray(r * width, r * width + n)));
  }
}

/** Any source or tag, for recv and probe. */
export const ANY = -1;

/** Now on the clock of the comm thread's start times (CLOCK_MONOTONIC), in ms. */
export const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;

let shared: Communicator | null = null;

/** The process's communicator, started on first use. */
export function communicator(op: string): Communicator {
  if (shared !== null) return shared;
  const native = loadMpiAddon(op, mpiAddonPath);
  const comm = new Communicator(native);
  process.on('exit', (code) => {
    if (code === 0) native.finalize();
  });
  shared = comm;
  return comm;
}
