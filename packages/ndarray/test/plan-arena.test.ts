import { describe, expect, it } from 'vitest';

import { BindError, cpu, fromTypedArray, type NDArray, ShapeError, StateError, ValueError, zeros } from '../src/index.js';
import { type ArenaSlot, Plan } from '../src/internal.js';
import { expectError, values } from './helpers.js';

// Slot 0 is bound by hand; slots 1 and 2 live in the arena: `copy` 0 -> 1, then `copy` 1 -> 2.
const twoCopies = (): Plan =>
  new Plan(
    [
      { kernel: 'copy', inputs: [0], outputs: [1], attrs: [], node: 0 },
      { kernel: 'copy', inputs: [1], outputs: [2], attrs: [], node: 1 },
    ],
    ['first', 'second'],
    3,
  );
const arenaSlots: ArenaSlot[] = [
  { slot: 1, ctx: cpu(0), byteOffset: 0, shape: [2, 2], dtype: 'float32' },
  { slot: 2, ctx: cpu(0), byteOffset: 64, shape: [4], dtype: 'float32' },
];

/** twoCopies with the input [1, 2, 3, 4] in slot 0 and its arena slots bound to an 80-byte arena. */
function boundToArena(): { plan: Plan; input: NDArray; arena: NDArray } {
  const plan = twoCopies();
  const input = fromTypedArray(Float32Array.of(1, 2, 3, 4), [2, 2]);
  plan.setSlot(0, input);
  plan.setArenaSlots(arenaSlots);
  const arena = zeros([80], { dtype: 'uint8' });
  plan.bindArena(arena);
  return { plan, input, arena };
}

describe('Plan arena slots', () => {
  it('binds every arena slot to its bytes of the arena in one call, and re-points them at a new arena', () => {
    const { plan, input, arena: small } = boundToArena();
    plan.run(0, 2, false);
    const bytes = new Float32Array(Uint8Array.from(values(small)).buffer);
    expect([...bytes.subarray(0, 4)]).toEqual([1, 2, 3, 4]);
    expect([...bytes.subarray(16, 20)]).toEqual([1, 2, 3, 4]);

    const grown = zeros([128], { dtype: 'uint8' });
    plan.bindArena(grown);
    const view = plan.slotArray(2);
    expect(view.shape).toEqual([4]);
    expect([...values(view)]).toEqual([0, 0, 0, 0]);
    plan.run(0, 2, false);
    expect([...values(view)]).toEqual([1, 2, 3, 4]);
    // The old arena is no longer written.
    small.fill(0);
    input.fill(7);
    plan.run(0, 2, false);
    expect([...values(small)].every((v) => v === 0)).toBe(true);
    for (const a of [view, small, grown, input]) a.dispose();
    plan.dispose();
  });

  it('re-points an array it handed out at the bytes of its slot in a new arena: the same NDArray and handle', () => {
    const { plan, input, arena: first } = boundToArena();
    const out = plan.slotArray(2);
    const handle = out.handle;
    const grown = zeros([128], { dtype: 'uint8' });
    plan.bindArena(grown);
    plan.retargetSlotArray(2, out);
    expect(out.handle).toBe(handle);
    plan.run(0, 2, false);
    expect([...values(out)]).toEqual([1, 2, 3, 4]);
    expect([...values(first)].every((v) => v === 0)).toBe(true);
    // The array is where the slot is: writing it writes the new arena.
    out.fill(9);
    expect([...new Float32Array(Uint8Array.from(values(grown)).buffer, 64, 4)]).toEqual([9, 9, 9, 9]);
    expectError(
      () => plan.retargetSlotArray(1, out),
      ShapeError,
      /^planRetargetSlotArray: the array is \(4,\) float32 on cpu\(0\), the new bytes are \(2, 2\) float32 on cpu\(0\)$/,
    );
    const gone = plan.slotArray(2);
    gone.dispose();
    expectError(() => plan.retargetSlotArray(2, gone), StateError, /^planRetargetSlotArray: the array was disposed/);
    for (const a of [out, first, grown, input]) a.dispose();
    plan.dispose();
  });

  it('binds only the slots of the arena context', () => {
    const plan = twoCopies();
    plan.setArenaSlots([arenaSlots[0]!, { ...arenaSlots[1]!, ctx: cpu(1), byteOffset: 0 }]);
    const here = zeros([64], { dtype: 'uint8' });
    plan.bindArena(here);
    const local = plan.slotArray(1);
    expect(local.shape).toEqual([2, 2]);
    expectError(() => plan.slotArray(2), StateError, /^plan: slot 2 has no array bound/);
    const there = zeros([16], { dtype: 'uint8', ctx: cpu(1) });
    plan.bindArena(there);
    const remote = plan.slotArray(2);
    expect(remote.context.equals(cpu(1))).toBe(true);
    for (const a of [local, remote, here, there]) a.dispose();
    plan.dispose();
  });

  it('refuses an arena too small for a slot before re-pointing any', () => {
    const plan = twoCopies();
    plan.setArenaSlots(arenaSlots);
    const arena = zeros([128], { dtype: 'uint8' });
    plan.bindArena(arena);
    const short = zeros([79], { dtype: 'uint8' });
    expectError(
      () => plan.bindArena(short),
      BindError,
      /^plan: arena slot 2 needs bytes \[64, 80\) of an arena of 79 bytes on cpu\(0\)/,
    );
    const kept = plan.slotArray(1);
    kept.fill(5);
    expect([...new Float32Array(Uint8Array.from(values(arena)).buffer, 0, 4)]).toEqual([5, 5, 5, 5]);
    for (const a of [kept, arena, short]) a.dispose();
    plan.dispose();
  });

  it('refuses a malformed slot table with typed errors', () => {
    const plan = twoCopies();
    const bad = (change: Partial<ArenaSlot>): ArenaSlot[] => [{ ...arenaSlots[0]!, ...change }];
    expectError(() => plan.setArenaSlots(bad({ slot: 3 })), BindError, /^plan: slot 3 out of range/);
    expectError(() => plan.setArenaSlots([arenaSlots[0]!, arenaSlots[0]!]), BindError, /^plan: arena slot 1 given twice/);
    expectError(
      () => plan.setArenaSlots(bad({ byteOffset: 1.5 })),
      ValueError,
      /^planSetArenaSlots: byteOffset must be a non-negative integer/,
    );
    expectError(
      () => plan.setArenaSlots(bad({ byteOffset: -64 })),
      ValueError,
      /^planSetArenaSlots: byteOffset must be a non-negative integer/,
    );
    expectError(
      () => plan.setArenaSlots(bad({ shape: [2, Number.NaN] })),
      ValueError,
      /^planSetArenaSlots: dim must be a non-negative integer/,
    );
    expectError(() => plan.setArenaSlots(bad({ byteOffset: 2 ** 53 })), BindError, /^plan: arena slot 1 ends past 2\^53 bytes/);
    expectError(() => plan.slotArray(-1), BindError, /^plan: slot -1 out of range/);
    plan.dispose();
    expectError(() => plan.bindArena(zeros([1], { dtype: 'uint8' })), StateError, /^plan: used after dispose\(\)/);
  });
});
