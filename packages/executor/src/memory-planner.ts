// Places an executor's intermediate arrays in one arena. Walking the instructions in order, each
// output takes the best-fitting free block (or extends the arena), and a buffer returns to the free
// list after the last instruction that reads it — so the arena's peak is far below the sum of all
// intermediates, as MXNet's PlanMemory pass achieves.

import { MAX_BYTES, ShapeError } from '@bkt/ndarray';
import { FreeBlocks } from './free-blocks.js';

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
  /** Last instruction that reads it (def when nothing reads it); numInstructions or more: kept to the end (an output). */
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

const align = (n: number): number => Math.ceil(n / ARENA_ALIGN) * ARENA_ALIGN;

export function planMemory(temps: readonly TempBuffer[], numInstructions: number): MemoryPlan {
  const byDef = new Map<number, number[]>();
  const byLastUse = new Map<number, number[]>();
  const add = (m: Map<number, number[]>, pc: number, t: number): void => {
    const list = m.get(pc);
    if (list) list.push(t);
    else m.set(pc, [t]);
  };
  temps.forEach((t, i) => {
    checkBytes(t.bytes, `intermediate ${i}`);
    add(byDef, t.def, i);
    add(byLastUse, t.lastUse, i);
  });
  const offsets = new Array<number>(temps.length).fill(0);
  const free = new FreeBlocks();
  let end = 0;

  const allocate = (bytes: number): number => {
    const fit = free.takeBestFit(bytes);
    if (fit !== undefined) return fit;
    // A free block at the end of the arena can be extended instead of starting a new one.
    const last = free.takeBlockEndingAt(end);
    const offset = last ?? end;
    end = checkBytes(offset + bytes, 'the arena');
    return offset;
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
    for (const t of byLastUse.get(pc) ?? []) if (!handedOver.has(t)) free.release(offsets[t]!, align(temps[t]!.bytes));
  }
  return { offsets, arenaBytes: end, totalBytes: temps.reduce((s, t) => s + align(t.bytes), 0) };
}
