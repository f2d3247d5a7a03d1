// The messages between dist_async workers and servers (MXNet's ps-lite traffic, on MPI point to
// point): a JSON header, then for init and push the value's bytes, from the same sender (MPI keeps one
// sender's messages in order). Servers are the last DMLC_NUM_SERVER ranks; each key lives on one.
import { type DType, DTYPE_BYTES, type NDArray, StateError } from '@bkt/ndarray';
import { sharedBytes } from '@bkt/ndarray/internal';

import type { KVKey } from '../arguments.js';
import type { Communicator } from './mpi.js';
import type { OptimizerWire } from './optimizer-wire.js';

export const TAG_HEADER = 1;
export const TAG_DATA = 2;
export const TAG_REPLY = 3;

export type Header =
  | { op: 'init'; key: KVKey; shape: number[]; dtype: DType }
  /** `compressed`: the data is the 2-bit packed words of the gradient. */
  | { op: 'push'; key: KVKey; compressed: boolean }
  | { op: 'pull'; key: KVKey }
  | { op: 'optimizer'; optimizer: OptimizerWire }
  | { op: 'compression'; threshold: number }
  /** The optimizer's current lr / wd multipliers (they grow when later keys are named). */
  | { op: 'multipliers'; lrMult: OptimizerWire['lrMult']; wdMult: OptimizerWire['wdMult'] }
  /** The server replies with its updater's states (@bkt/optimizer's format; empty without an optimizer). */
  | { op: 'getStates' }
  /** A states file of `bytes` bytes follows; the server keeps the states of its own keys. */
  | { op: 'setStates'; bytes: number }
  | { op: 'barrier' }
  | { op: 'stop' };

/** The number of server ranks (DMLC_NUM_SERVER, as MXNet's launcher sets it; bkt-launch -s). */
export function numServersFromEnv(op: string, size: number): number {
  const given = process.env['DMLC_NUM_SERVER'];
  const n = Number(given);
  if (given === undefined || !Number.isInteger(n) || n < 1 || n >= size) {
    throw new StateError(
      `${op}: dist_async needs server ranks: DMLC_NUM_SERVER must be an integer in [1, ${size - 1}] for this job of ${size} ranks, got '${given ?? ''}' ` +
        '(start it with `bkt-launch -n WORKERS -s SERVERS -- ...`)',
    );
  }
  return n;
}

/** The server rank that holds `key`: a hash of the key over the servers (the last `numServers` ranks). */
export function serverOf(key: KVKey, numWorkers: number, numServers: number): number {
  const text = `${typeof key}:${String(key)}`;
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return numWorkers + (h % numServers);
}

/** The bytes of an array for the MPI addon. */
export const bytesOf = (a: NDArray): Uint8Array => new Uint8Array(sharedBytes(a), 0, a.size * DTYPE_BYTES[a.dtype]);

export function sendHeader(comm: Communicator, to: number, header: Header): void {
  comm.wait(comm.send(new TextEncoder().encode(JSON.stringify(header)), to, TAG_HEADER), `dist_async ${header.op} to rank ${to}`);
}

/** A one-byte reply (an acknowledgement). */
export function sendAck(comm: Communicator, to: number): void {
  comm.wait(comm.send(new Uint8Array(1), to, TAG_REPLY), `dist_async reply to rank ${to}`);
}

export function waitAck(comm: Communicator, from: number, what: string): void {
  comm.wait(comm.recv(new Uint8Array(1), from, TAG_REPLY, new Int32Array(3)), what);
}

/** Receives a message of unknown length from `from` with `tag` (probed first for its size). */
export function recvSized(comm: Communicator, from: number, tag: number, what: string): Uint8Array {
  const status = new Int32Array(3);
  comm.wait(comm.probe(from, tag, status), what);
  const bytes = new Uint8Array(status[2]!);
  comm.wait(comm.recv(bytes, from, tag, status), what);
  return bytes;
}
