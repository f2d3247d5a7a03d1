// Executor plans as @bkt/executor uses them: a flat instruction list compiled once at bind and run
// natively one segment (forward, backward) per call.
import type { Context } from './context.js';
import { DTYPE_CODES, type DType } from './dtype.js';
import { StateError } from './errors.js';
import { native } from './native.js';
import { NDArray } from './ndarray.js';
import { Kernel, type KernelName } from './op-ids.gen.js';
import { type GemmPrecision, getGemmPrecision, setGemmPrecision } from './runtime.js';

const collected = new FinalizationRegistry<number>((id) => native.planDispose(id));

export { Kernel, type KernelName };

export interface PlanInstruction {
  kernel: KernelName;
  inputs: readonly number[];
  outputs: readonly number[];
  attrs: readonly number[];
  /** Index into the plan's node names, for error messages. */
  node: number;
}

/** A slot whose array lives in the arena of `ctx`, at `byteOffset` (an executor's intermediate). */
export interface ArenaSlot {
  slot: number;
  ctx: Context;
  byteOffset: number;
  shape: readonly number[];
  dtype: DType;
}

export interface PlanOptions {
  /** Put in force around each run (an executor bound with `amp`), then restored. */
  gemmPrecision?: GemmPrecision | undefined;
  /**
   * The operator each node name runs (MXNet's name: `FullyConnected`, `_backward_FullyConnected`), one
   * per node name, as the profiler reports it; by default the node names themselves.
   */
  opNames?: readonly string[] | undefined;
}

/** Whether the addon has a kernel id for this name (the kernel itself may still be missing). */
export function isKernelName(name: string): name is KernelName {
  return Object.hasOwn(Kernel, name);
}

export class Plan {
  #id: number | null;

  readonly #gemmPrecision: GemmPrecision | undefined;

  constructor(
    instructions: readonly PlanInstruction[],
    nodeNames: readonly string[],
    numSlots: number,
    options: PlanOptions = {},
  ) {
    this.#gemmPrecision = options.gemmPrecision;
    const opNames = options.opNames ?? nodeNames;
    const code = new Int32Array(instructions.length * 8);
    const refs: number[] = [];
    const attrs: number[] = [];
    instructions.forEach((ins, i) => {
      const row = [
        Kernel[ins.kernel],
        refs.length,
        ins.inputs.length,
        refs.length + ins.inputs.length,
        ins.outputs.length,
        attrs.length,
        ins.attrs.length,
        ins.node,
      ];
      code.set(row, i * 8);
      refs.push(...ins.inputs, ...ins.outputs);
      attrs.push(...ins.attrs);
    });
    this.#id = native.planCreate(code, Int32Array.from(refs), Float64Array.from(attrs), [...nodeNames], [...opNames], numSlots);
    collected.register(this, this.#id, this);
  }

  #live(): number {
    if (this.#id === null) throw new StateError('plan: used after dispose()');
    return this.#id;
  }

  setSlot(slot: number, array: NDArray): void {
    native.planSetSlot(this.#live(), slot, array.handle);
  }

  /** Tells the plan, once, which slots are views into an arena and where; `bindArena` then binds them. */
  setArenaSlots(slots: readonly ArenaSlot[]): void {
    const table: number[] = [];
    for (const a of slots) table.push(a.slot, a.ctx.deviceId, DTYPE_CODES[a.dtype], a.byteOffset, a.shape.length, ...a.shape);
    native.planSetArenaSlots(this.#live(), Float64Array.from(table));
  }

  /**
   * Points every arena slot of `arena`'s context at its bytes of `arena`, in one native call: at bind,
   * and again when a shared arena grows.
   */
  bindArena(arena: NDArray): void {
    native.planBindArena(this.#live(), arena.handle);
  }

  /** A new array for what `slot` holds (a view when the slot is one; dispose it after use). */
  slotArray(slot: number): NDArray {
    return NDArray.fromHandle(native.planSlotArray(this.#live(), slot));
  }

  /**
   * Makes `array`, an earlier `slotArray(slot)`, view what the slot holds now (after `bindArena` moved
   * it to a grown arena): the same JS array, so whoever holds it reads the slot's new place.
   */
  retargetSlotArray(slot: number, array: NDArray): void {
    native.planRetargetSlotArray(this.#live(), slot, array.handle);
  }

  /**
   * Chooses the library of every GEMM shape the instructions will run and builds its oneDNN primitive,
   * in the precision the runs will have: once at bind, after every slot is bound, so the first step
   * does not pay for it. A shape it misses is still chosen when first met.
   */
  prepare(): void {
    const id = this.#live();
    const outer = this.#enterPrecision();
    try {
      native.planPrepare(id);
    } finally {
      this.#leavePrecision(outer);
    }
  }

  /** Runs instructions [begin, end) in one native call. */
  run(begin: number, end: number, isTrain: boolean): void {
    const id = this.#live();
    const outer = this.#enterPrecision();
    try {
      native.planRun(id, begin, end, isTrain);
    } finally {
      this.#leavePrecision(outer);
    }
  }

  /** Puts the plan's precision in force; returns the one to restore (undefined: nothing changed). */
  #enterPrecision(): GemmPrecision | undefined {
    if (this.#gemmPrecision === undefined) return undefined;
    const outer = getGemmPrecision();
    setGemmPrecision(this.#gemmPrecision);
    return outer;
  }

  #leavePrecision(outer: GemmPrecision | undefined): void {
    if (outer !== undefined) setGemmPrecision(outer);
  }

  dispose(): void {
    if (this.#id === null) return;
    collected.unregister(this);
    native.planDispose(this.#id);
    this.#id = null;
  }
}

/** A view of `buffer`'s bytes [byteOffset, …) as an array of `shape` and `dtype` (no copy). */
export function viewBytes(buffer: NDArray, byteOffset: number, shape: readonly number[], dtype: DType): NDArray {
  return NDArray.fromHandle(native.viewBytes(buffer.handle, byteOffset, shape, DTYPE_CODES[dtype]));
}

/**
 * The bytes of `array` itself (no copy) as an ArrayBuffer, for another native addon to read and write
 * in place (the MPI addon of @bkt/kvstore). The buffer keeps the memory alive while it is reachable,
 * even after `array` is disposed; a zero-size array gives an empty buffer.
 */
export function sharedBytes(array: NDArray): ArrayBuffer {
  return native.sharedBytes(array.handle);
}
