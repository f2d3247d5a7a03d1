// Places an executor's intermediate arrays in one arena. Walking the instructions in order, each
// output takes the best-fitting free block (or extends the arena), and a buffer returns to the free
// list after the last instruction that reads it — so the arena's peak is far below the sum of all
// intermediates, as MXNet's PlanMemory pass achieves.

import { MAX_BYTES, ShapeError } from '@bkt/ndarray';

export const ARENA_ALIGN = 64;

// Byte counts come from inferred shapes; past 2^53 doubles lose integers and offsets could overlap.
function checkBytes(n: number, what: string): number {
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_BYTES) {
    throw new ShapeError(`bind: ${what} needs ${n} bytes; an arena holds at most 2^53 bytes`);
  }
  return n;
}

export interface TempBuffer {
  bytes: number;
  /** Instruction that writes it. */
  def: number;
  /** Last instruction that reads it (def when nothing reads it). */
  lastUse: number;
  /**
   * In place: the index of a temp this one takes over (the op may write its output over that input,
   * which its instruction reads for the last time). Both have the same size.
   */
  reuses?: number;
}

export interface MemoryPlan {
  offsets: number[];
  arenaBytes: number;
  /** What the intermediates would take without reuse. */
  totalBytes: number;
}

interface Block {
  offset: number;
  bytes: number;
}

const align = (n: number): number => Math.ceil(n / ARENA_ALIGN) * ARENA_ALIGN;

export function planMemory(temps: readonly TempBuffer[], numInstructions: number): MemoryPlan {
  const byDef = new Map<number, number[]>();
  const byLastUse = new Map<number, number[]>();
  temps.forEach((t, i) => {
    checkBytes(t.bytes, `intermediate ${i}`);
    byDef.set(t.def, [...(byDef.get(t.def) ?? []), i]);
    byLastUse.set(t.lastUse, [...(byLastUse.get(t.lastUse) ?? []), i]);
  });
  const offsets = new Array<number>(temps.length).fill(0);
  let free: Block[] = [];
  let end = 0;

  const allocate = (bytes: number): number => {
    let best = -1;
    for (let i = 0; i < free.length; i++) {
      if (free[i]!.bytes >= bytes && (best < 0 || free[i]!.bytes < free[best]!.bytes)) best = i;
    }
    if (best >= 0) {
      const b = free[best]!;
      if (b.bytes === bytes) free.splice(best, 1);
      else free[best] = { offset: b.offset + bytes, bytes: b.bytes - bytes };
      return b.offset;
    }
    // A free block at the end of the arena can be extended instead of starting a new one.
    const last = free.find((b) => b.offset + b.bytes === end);
    if (last) {
      free = free.filter((b) => b !== last);
      end = checkBytes(last.offset + bytes, 'the arena');
      return last.offset;
    }
    const offset = end;
    end = checkBytes(end + bytes, 'the arena');
    return offset;
  };

  const release = (offset: number, bytes: number): void => {
    free.push({ offset, bytes });
    free.sort((a, b) => a.offset - b.offset);
    const merged: Block[] = [];
    for (const b of free) {
      const prev = merged[merged.length - 1];
      if (prev && prev.offset + prev.bytes === b.offset) prev.bytes += b.bytes;
      else merged.push({ ...b });
    }
    free = merged;
  };

  for (let pc = 0; pc < numInstructions; pc++) {
    const handedOver = new Set<number>();
    for (const t of byDef.get(pc) ?? []) {
      const r = temps[t]!.reuses;
      if (r !== undefined && !handedOver.has(r)) {
        offsets[t] = offsets[r]!;
        handedOver.add(r);
      } else {
        offsets[t] = allocate(align(temps[t]!.bytes));
      }
    }
    // Other inputs and outputs of one instruction never share memory: frees follow its allocations.
    for (const t of byLastUse.get(pc) ?? []) if (!handedOver.has(t)) release(offsets[t]!, align(temps[t]!.bytes));
  }
  return { offsets, arenaBytes: end, totalBytes: temps.reduce((s, t) => s + align(t.bytes), 0) };
}
