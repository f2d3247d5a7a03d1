// Fused buffers, as Horovod and PyTorch DDP use them: the gradients of several keys travel in one
// message, each key a view into the buffer (@bkt/ndarray's viewBytes), so filling the buffer is one
// copy per key and the MPI addon reads and writes the buffer's own memory (sharedBytes).
import { type DType, DTYPE_BYTES, empty, type NDArray } from '@bkt/ndarray';
import { sharedBytes, viewBytes } from '@bkt/ndarray/internal';

import type { KVKey } from '../arguments.js';

export interface FusedEntry {
  readonly key: KVKey;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export interface FusedBuffer {
  readonly dtype: DType;
  readonly buffer: NDArray;
  /** The buffer's memory for the MPI addon (exactly the members' bytes). */
  readonly memory: Uint8Array;
  readonly keys: readonly KVKey[];
  /** One view per key, in the key's shape. */
  readonly views: readonly NDArray[];
}

const elements = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

/**
 * Packs `entries` in order into buffers of one dtype each, starting a new buffer of a dtype when the
 * next entry would take it past `limitBytes` (an entry larger than the limit gets a buffer of its own).
 * Every rank packs the same entries the same way, so the buffers match message for message.
 */
export function fuse(entries: readonly FusedEntry[], limitBytes: number): FusedBuffer[] {
  const groups: FusedEntry[][] = [];
  const open = new Map<DType, { members: FusedEntry[]; bytes: number }>();
  for (const e of entries) {
    const bytes = elements(e.shape) * DTYPE_BYTES[e.dtype];
    let current = open.get(e.dtype);
    if (current === undefined || (current.bytes > 0 && current.bytes + bytes > limitBytes)) {
      current = { members: [], bytes: 0 };
      open.set(e.dtype, current);
      groups.push(current.members);
    }
    current.members.push(e);
    current.bytes += bytes;
  }
  return groups.map((members) => allocate(members, members[0]!.dtype, 1));
}

/** One buffer holding `members` back to back, `copies` times (a receive buffer of an allgather). */
export function allocate(members: readonly FusedEntry[], dtype: DType, copies: number): FusedBuffer {
  const size = members.reduce((n, e) => n + elements(e.shape), 0);
  const buffer = empty([Math.max(1, size * copies)], { dtype });
  let offset = 0;
  const views: NDArray[] = [];
  for (let c = 0; c < copies; c++) {
    for (const e of members) {
      views.push(viewBytes(buffer, offset * DTYPE_BYTES[dtype], e.shape, dtype));
      offset += elements(e.shape);
    }
  }
  const memory = new Uint8Array(sharedBytes(buffer), 0, offset * DTYPE_BYTES[dtype]);
  return { dtype, buffer, memory, keys: members.map((e) => e.key), views };
}

export function disposeBuffers(buffers: readonly FusedBuffer[]): void {
  for (const b of buffers) {
    b.views.forEach((v) => v.dispose());
    b.buffer.dispose();
  }
}
