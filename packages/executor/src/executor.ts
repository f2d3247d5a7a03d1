// MXNet's Executor: a symbol bound to arrays. Binding compiles one native Plan; forward and backward
// each run their whole segment in one native call over preallocated memory.
import {
  BindError,
  type Context,
  cpu,
  type DType,
  DTYPE_BYTES,
  NDArray,
  ShapeError,
  StateError,
  ValueError,
  full,
  zeros,
  ownValue,
} from '@bkt/ndarray';
import { Plan, viewBytes } from '@bkt/ndarray/internal';
import { formatShape as fmt, type GradReq, type Symbol } from '@bkt/symbol';

import { ArenaPool, type ArenaUser, poolOf } from './arena-pool.js';
import { type CompiledGraph, compile, slotBytes } from './compile.js';
import { planMemory, type MemoryPlan } from './memory-planner.js';
import type { Group2Ctx } from './placement.js';

export type { GradReq };
export type ArrayMap = Readonly<Record<string, NDArray>>;
export type GradReqSpec = GradReq | readonly GradReq[] | Readonly<Record<string, GradReq>>;
export type MonitorCallback = (name: string, array: NDArray) => void;
export type { Group2Ctx };

export interface BindOptions {
  ctx?: Context;
  /** Argument arrays by name, or in listArguments() order. */
  args: ArrayMap | readonly NDArray[];
  /** Gradient arrays by name or in order; missing ones are allocated for arguments that want one. */
  argsGrad?: Readonly<Record<string, NDArray | null>> | readonly (NDArray | null)[];
  gradReq?: GradReqSpec;
  auxStates?: ArrayMap | readonly NDArray[];
  /** Share parameters, gradients and the intermediate arena with this executor (bucketing). */
  sharedExec?: Executor;
  /** Model parallelism: nodes whose `__ctx_group__` is a key run on (and keep their arrays on) its context. */
  group2ctx?: Group2Ctx;
  /**
   * MXNet's AMP with target_dtype bfloat16: GEMM-heavy ops (FullyConnected, RNN, dot, batch_dot,
   * Convolution) run their products in bfloat16 with float32 accumulation; every array stays float32.
   */
  amp?: 'bfloat16';
}

export interface SimpleBindOptions {
  ctx?: Context;
  /** Shapes of the inputs (at least the data and label arguments); the rest is inferred. */
  shapes: Readonly<Record<string, readonly number[]>>;
  dtypes?: Readonly<Record<string, DType>>;
  gradReq?: GradReqSpec;
  sharedExec?: Executor;
  /** Model parallelism: nodes whose `__ctx_group__` is a key run on (and keep their arrays on) its context. */
  group2ctx?: Group2Ctx;
  /**
   * MXNet's AMP with target_dtype bfloat16: GEMM-heavy ops (FullyConnected, RNN, dot, batch_dot,
   * Convolution) run their products in bfloat16 with float32 accumulation; every array stays float32.
   */
  amp?: 'bfloat16';
}

/** The arena slots of one context (intermediates and outputs) and their places in its arena. */
interface ContextMemory {
  ctx: Context;
  slots: number[];
  plan: MemoryPlan;
}

export interface BackwardOptions {
  /**
   * Called during the backward pass with the names of the arguments whose gradients have just
   * become final (each argument once, the last layers' first); they are not written again in this pass.
   */
  onGradientsReady?: ((argNames: readonly string[]) => void) | undefined;
}

export class Executor implements ArenaUser {
  readonly symbol: Symbol;
  readonly context: Context;
  readonly argArrays: NDArray[];
  readonly gradArrays: (NDArray | null)[];
  readonly auxArrays: NDArray[];
  readonly outputs: NDArray[];
  readonly #graph: CompiledGraph;
  readonly #group2ctx: Group2Ctx | undefined;
  readonly #amp: 'bfloat16' | undefined;
  /** Per context id. */
  readonly #memory = new Map<number, ContextMemory>();
  readonly #plan: Plan;
  /** Per context id; the same map object across a sharedExec group. */
  readonly #pools: Map<number, ArenaPool>;
  readonly #owned: NDArray[] = [];
  /** The output arrays that view the arena, by slot: re-pointed when the arena grows. */
  readonly #outputViews = new Map<number, NDArray>();
  readonly #headGrads: NDArray[];
  /** Position of each argument / auxiliary state by name (graphs may have very many). */
  readonly #argIndex: Map<string, number>;
  readonly #auxIndex: Map<string, number>;
  #trained = false;
  #monitor: { cb: MonitorCallback; all: boolean } | null = null;
  #disposed = false;
  #finalAfter: [number, string[]][] | null = null;

  private constructor(
    symbol: Symbol,
    ctx: Context,
    graph: CompiledGraph,
    arrays: BoundArrays,
    pools: Map<number, ArenaPool>,
    group2ctx?: Group2Ctx,
    amp?: 'bfloat16',
  ) {
    this.symbol = symbol;
    this.context = ctx;
    this.#graph = graph;
    this.#group2ctx = group2ctx;
    this.#argIndex = new Map(graph.argNames.map((n, i) => [n, i]));
    this.#auxIndex = new Map(graph.auxNames.map((n, i) => [n, i]));
    this.#amp = amp;
    this.argArrays = arrays.args;
    this.gradArrays = arrays.grads;
    this.auxArrays = arrays.aux;
    this.#owned.push(...arrays.owned);

    // Outputs live in the arena too, as in MXNet's GraphExecutor (its memory plan treats them as
    // entries whose last reader is the caller, and its data pool is shared with executors bound with
    // shared_exec): a bucket executor allocates no output array of its own. Kept to the end of the
    // plan, an output never shares bytes with another of the executor's live arrays; it holds its
    // value until this executor, or another member of its sharedExec group, runs again.
    const numInstructions = graph.instructions.length;
    const slotsByCtx = new Map<number, { ctx: Context; slots: number[] }>([[ctx.deviceId, { ctx, slots: [] }]]);
    graph.slots.forEach((s, i) => {
      if (s.kind !== 'temp' && s.kind !== 'output') return;
      const entry = slotsByCtx.get(s.ctx.deviceId) ?? { ctx: s.ctx, slots: [] };
      entry.slots.push(i);
      slotsByCtx.set(s.ctx.deviceId, entry);
    });
    for (const [id, { ctx: c, slots }] of slotsByCtx) {
      const index = new Map(slots.map((slot, k) => [slot, k]));
      const plan = planMemory(
        slots.map((i) => {
          const s = graph.slots[i]!;
          const reuses = s.reuses === undefined ? undefined : index.get(s.reuses);
          const lastUse = s.kind === 'output' ? numInstructions : s.lastUse;
          return { bytes: slotBytes(s), def: s.def, lastUse, ...(reuses === undefined ? {} : { reuses }) };
        }),
        numInstructions,
      );
      this.#memory.set(id, { ctx: c, slots, plan });
    }
    this.#plan = new Plan(graph.instructions, graph.nodeNames, graph.slots.length, {
      gemmPrecision: amp,
      opNames: graph.opNames,
    });
    this.#plan.setArenaSlots(
      [...this.#memory.values()].flatMap((m) =>
        m.slots.map((slot, k) => {
          const s = graph.slots[slot]!;
          return { slot, ctx: m.ctx, byteOffset: m.plan.offsets[k]!, shape: s.shape, dtype: s.dtype };
        }),
      ),
    );

    const slotArray = new Map<number, NDArray>();
    graph.argSlots.forEach((s, i) => slotArray.set(s, this.argArrays[i]!));
    graph.auxSlots.forEach((s, i) => slotArray.set(s, this.auxArrays[i]!));
    graph.gradSlots.forEach((s, i) => {
      if (s >= 0) slotArray.set(s, this.gradArrays[i]!);
    });
    this.#headGrads = graph.headGrads.map((h) => {
      const s = graph.slots[h.slot]!;
      const a = full(s.shape, 1, { dtype: s.dtype, ctx: s.ctx });
      this.#owned.push(a);
      slotArray.set(h.slot, a);
      return a;
    });
    for (const [slot, a] of slotArray) this.#plan.setSlot(slot, a);

    this.#pools = pools;
    for (const m of this.#memory.values()) poolOf(this.#pools, m.ctx).join(this, m.plan.arenaBytes);
    // An output that is an argument (or aux state) is that array; the others view the arena.
    this.outputs = graph.outputSlots.map((slot) => {
      const bound = slotArray.get(slot) ?? this.#outputViews.get(slot);
      if (bound) return bound;
      const view = this.#plan.slotArray(slot);
      this.#owned.push(view);
      this.#outputViews.set(slot, view);
      return view;
    });
    // Every GEMM shape's library is chosen and its oneDNN primitive built now, in the executor's
    // precision, so the first forward and backward do not pay for it.
    try {
      this.#plan.prepare();
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /**
   * @internal Points the intermediates and outputs of `buffer`'s context at it (the shared arena,
   * possibly just grown). The output arrays handed out stay the same objects, now on the new bytes.
   */
  attachArena(buffer: NDArray): void {
    this.#plan.bindArena(buffer);
    for (const [slot, view] of this.#outputViews)
      if (this.#graph.slots[slot]!.ctx.equals(buffer.context)) this.#plan.retargetSlotArray(slot, view);
  }

  static bind(symbol: Symbol, opts: BindOptions): Executor {
    const ctx = opts.ctx ?? cpu(0);
    const argNames = symbol.listArguments();
    const auxNames = symbol.listAuxiliaryStates();
    const args = byName(opts.args, argNames, 'args');
    const aux = byName(opts.auxStates ?? [], auxNames, 'auxStates');
    const gradReq = gradReqMap(opts.gradReq ?? 'write', argNames);
    for (const n of argNames)
      if (!args[n]) throw new BindError(`bind: argument '${n}' has no array (args: ${argNames.join(', ')})`);
    for (const n of auxNames) if (!aux[n]) throw new BindError(`bind: auxiliary state '${n}' has no array`);
    const shapes = Object.fromEntries([...argNames.map((n) => [n, args[n]!.shape]), ...auxNames.map((n) => [n, aux[n]!.shape])]);
    const dtypes = Object.fromEntries([...argNames.map((n) => [n, args[n]!.dtype]), ...auxNames.map((n) => [n, aux[n]!.dtype])]);
    const graph = compile(symbol, { shapes, dtypes, gradReq, ctx, group2ctx: opts.group2ctx });
    checkShapes(graph, args, aux);
    checkContexts(graph, args, aux);
    const givenGrads = opts.argsGrad === undefined ? {} : byName(opts.argsGrad, argNames, 'argsGrad');
    const owned: NDArray[] = [];
    const grads = argNames.map((n, i) => {
      const slot = graph.gradSlots[i]!;
      if (slot < 0) return null;
      const s = graph.slots[slot]!;
      const given = givenGrads[n];
      if (given) {
        if (!sameShape(given.shape, s.shape)) {
          throw new ShapeError(`bind: gradient array of '${n}' has shape ${fmt(given.shape)}, expected ${fmt(s.shape)}`);
        }
        requireContext(given, s.ctx, `gradient array of '${n}'`);
        return given;
      }
      const a = zeros(s.shape, { dtype: s.dtype, ctx: s.ctx });
      owned.push(a);
      return a;
    });
    return new Executor(
      symbol,
      ctx,
      graph,
      { args: argNames.map((n) => args[n]!), grads, aux: auxNames.map((n) => aux[n]!), owned },
      opts.sharedExec ? opts.sharedExec.#pools : new Map(),
      opts.group2ctx,
      checkAmp(opts.amp),
    );
  }

  /**
   * Allocates every array from the given input shapes (MXNet's simple_bind). With `sharedExec`,
   * arrays of the same name, shape, dtype and context that any executor of its group allocated
   * first are shared: parameters, their gradients, aux states and inputs. An input (a name in
   * `shapes`) or its gradient of another shape views the front of the group's array of that name
   * when that one is large enough, else it is allocated and becomes the group's array of that name
   * (MXNet's shared data arrays of a bucketing module). Intermediates and outputs live in the group's
   * shared arena.
   */
  static simpleBind(symbol: Symbol, opts: SimpleBindOptions): Executor {
    const ctx = opts.ctx ?? cpu(0);
    const argNames = symbol.listArguments();
    const auxNames = symbol.listAuxiliaryStates();
    const gradReq = gradReqMap(opts.gradReq ?? 'write', argNames);
    const graph = compile(symbol, { shapes: opts.shapes, dtypes: opts.dtypes ?? {}, gradReq, ctx, group2ctx: opts.group2ctx });
    const shared = opts.sharedExec;
    const pools = shared ? shared.#pools : new Map<number, ArenaPool>();
    const pool = poolOf(pools, ctx);
    const owned: NDArray[] = [];
    const take = (kind: 'arg' | 'aux' | 'grad', name: string, slot: number): NDArray => {
      const s = graph.slots[slot]!;
      const key = `${kind}:${name}`;
      const sameKind = (a: NDArray): boolean => a.dtype === s.dtype && a.context.equals(s.ctx);
      const fits = (a: NDArray): boolean => sameShape(a.shape, s.shape) && sameKind(a);
      const published = pool.lookup(key);
      if (published !== undefined && fits(published)) return published;
      const fromShared = shared ? shared.#arrayOf(kind, name) : undefined;
      if (fromShared !== undefined && fits(fromShared)) return fromShared;
      // Only inputs: a parameter whose shape changed is not the same parameter, and a view of the
      // front of the shared one would silently read and update part of it.
      if (kind !== 'aux' && Object.hasOwn(opts.shapes, name) && published !== undefined && sameKind(published)) {
        if (published.size * DTYPE_BYTES[s.dtype] >= slotBytes(s)) {
          const view = viewBytes(published, 0, s.shape, s.dtype);
          owned.push(view);
          return view;
        }
        const larger = zeros(s.shape, { dtype: s.dtype, ctx: s.ctx });
        pool.replace(key, larger);
        return larger;
      }
      const a = zeros(s.shape, { dtype: s.dtype, ctx: s.ctx });
      if (published === undefined && fromShared === undefined) pool.publish(key, a);
      else owned.push(a);
      return a;
    };
    const args = argNames.map((n, i) => take('arg', n, graph.argSlots[i]!));
    const aux = auxNames.map((n, i) => take('aux', n, graph.auxSlots[i]!));
    const grads = argNames.map((n, i) => (graph.gradSlots[i]! >= 0 ? take('grad', n, graph.gradSlots[i]!) : null));
    return new Executor(symbol, ctx, graph, { args, grads, aux, owned }, pools, opts.group2ctx, checkAmp(opts.amp));
  }

  #arrayOf(kind: 'arg' | 'aux' | 'grad', name: string): NDArray | undefined {
    if (kind === 'aux') {
      const i = this.#auxIndex.get(name);
      return i === undefined ? undefined : this.auxArrays[i];
    }
    const i = this.#argIndex.get(name);
    if (i === undefined) return undefined;
    return (kind === 'arg' ? this.argArrays[i] : this.gradArrays[i]) ?? undefined;
  }

  get argDict(): Record<string, NDArray> {
    return Object.fromEntries(this.#graph.argNames.map((n, i) => [n, this.argArrays[i]!]));
  }

  get gradDict(): Record<string, NDArray> {
    return Object.fromEntries(this.#graph.argNames.flatMap((n, i) => (this.gradArrays[i] ? [[n, this.gradArrays[i]!]] : [])));
  }

  get auxDict(): Record<string, NDArray> {
    return Object.fromEntries(this.#graph.auxNames.map((n, i) => [n, this.auxArrays[i]!]));
  }

  get outputDict(): Record<string, NDArray> {
    return Object.fromEntries(this.symbol.listOutputs().map((n, i) => [n, this.outputs[i]!]));
  }

  /** Bytes of the arenas (one per context) this executor's intermediates live in (shared with its sharedExec group). */
  get arenaBytes(): number {
    let bytes = 0;
    for (const id of this.#memory.keys()) bytes += this.#pools.get(id)!.bytes;
    return bytes;
  }

  /**
   * Runs the forward pass. Named arrays are copied into the arguments first (MXNet's
   * `forward(is_train, **kwargs)`).
   */
  forward(opts: { isTrain?: boolean } & Record<string, NDArray | boolean | undefined> = {}): NDArray[] {
    this.#checkLive('forward');
    const isTrain = opts.isTrain === true;
    for (const [name, value] of Object.entries(opts)) {
      if (name === 'isTrain' || value === undefined) continue;
      const i = this.#argIndex.get(name);
      if (i === undefined || !(value instanceof NDArray)) {
        throw new ValueError(`forward: '${name}' is not an argument (arguments: ${this.#graph.argNames.join(', ')})`);
      }
      value.copyTo(this.argArrays[i]!);
    }
    this.#run(0, this.#graph.numForward, isTrain);
    this.#trained = isTrain;
    return this.outputs;
  }

  /**
   * Runs the backward pass after `forward({isTrain: true})`. `outGrads` holds one gradient per output;
   * those of loss layers (SoftmaxOutput, MakeLoss) are ignored, as in MXNet. Omitted, the gradients of
   * non-loss outputs are ones (MXNet's initial head gradients).
   */
  backward(outGrads?: NDArray | readonly NDArray[], opts: BackwardOptions = {}): void {
    this.#checkLive('backward');
    if (!this.#trained) throw new StateError('backward: call forward({isTrain: true}) first');
    const grads = outGrads === undefined ? [] : outGrads instanceof NDArray ? [outGrads] : outGrads;
    const heads = this.#graph.headGrads;
    if (grads.length > 0) {
      if (grads.length !== this.outputs.length) {
        throw new ValueError(`backward: ${grads.length} output gradients given for ${this.outputs.length} outputs`);
      }
      heads.forEach((h, i) => grads[h.output]!.copyTo(this.#headGrads[i]!));
    }
    const onReady = opts.onGradientsReady;
    if (onReady === undefined) {
      this.#run(this.#graph.numForward, this.#graph.instructions.length, true);
      return;
    }
    // The backward segment runs in pieces that end where gradients become final, so a caller (a
    // distributed kvstore) can send the last layers' gradients while the earlier layers compute.
    let begin = this.#graph.numForward;
    for (const [end, names] of this.#gradientsFinalAfter()) {
      this.#run(begin, end, true);
      onReady(names);
      begin = end;
    }
    this.#run(begin, this.#graph.instructions.length, true);
  }

  /**
   * The backward instruction counts after which gradients are final, ascending, each with the
   * arguments whose gradient array the last instruction before it writes for the last time.
   */
  #gradientsFinalAfter(): [number, string[]][] {
    if (this.#finalAfter !== null) return this.#finalAfter;
    const lastWrite = new Map<number, number>();
    this.#graph.instructions.forEach((ins, pc) => ins.outputs.forEach((s) => lastWrite.set(s, pc)));
    const byEnd = new Map<number, string[]>();
    this.#graph.gradSlots.forEach((s, i) => {
      const pc = lastWrite.get(s);
      if (s < 0 || pc === undefined || pc < this.#graph.numForward) return;
      const names = byEnd.get(pc + 1) ?? [];
      names.push(this.#graph.argNames[i]!);
      byEnd.set(pc + 1, names);
    });
    this.#finalAfter = [...byEnd.entries()].sort((a, b) => a[0] - b[0]);
    return this.#finalAfter;
  }

  #run(begin: number, end: number, isTrain: boolean): void {
    const mon = this.#monitor;
    if (!mon) {
      this.#plan.run(begin, end, isTrain);
      return;
    }
    // Monitoring trades the one-call segment for one call per instruction, so each array is visible.
    // Names follow MXNet's GraphExecutor: outputs as list_outputs() names them, inputs as
    // `<node>_<input name>` (`input<k>` for hidden backward ops, which list no input names) plus
    // the variable's own name for variable inputs.
    const { arrays: slotArrays, views } = this.#slotArrays();
    try {
      this.#runMonitored(mon, slotArrays, begin, end, isTrain);
    } finally {
      for (const v of views) v.dispose();
    }
  }

  #runMonitored(
    mon: { cb: MonitorCallback; all: boolean },
    slotArrays: ReadonlyMap<number, NDArray>,
    begin: number,
    end: number,
    isTrain: boolean,
  ): void {
    for (let pc = begin; pc < end; pc++) {
      const ins = this.#graph.instructions[pc]!;
      // Gradient copies and cross-device copies have no graph node here, so they are not reported
      // (MXNet reports its _CrossDeviceCopy nodes; it has no gradient copies).
      const node = this.#graph.nodes[ins.node];
      if (node && mon.all) {
        const inputNames = node.op!.backward ? [] : node.inputNames();
        // An instruction may read more than its node's inputs (an RNN the Embedding's, embedding-fold.ts).
        ins.inputs.slice(0, node.inputs.length).forEach((s, k) => {
          const array = slotArrays.get(s)!;
          const src = node.inputs[k]!.node;
          if (src.isVariable) mon.cb(src.name, array);
          mon.cb(`${node.name}_${inputNames[k] ?? `input${k}`}`, array);
        });
      }
      this.#plan.run(pc, pc + 1, isTrain);
      if (node) ins.outputs.forEach((s, k) => mon.cb(node.outputName(k), slotArrays.get(s)!));
    }
  }

  /** Every slot's array; the intermediates' are views (`views`) the caller disposes. */
  #slotArrays(): { arrays: Map<number, NDArray>; views: NDArray[] } {
    const m = new Map<number, NDArray>();
    this.#graph.argSlots.forEach((s, i) => m.set(s, this.argArrays[i]!));
    this.#graph.auxSlots.forEach((s, i) => m.set(s, this.auxArrays[i]!));
    this.#graph.gradSlots.forEach((s, i) => s >= 0 && m.set(s, this.gradArrays[i]!));
    this.#graph.headGrads.forEach((h, i) => m.set(h.slot, this.#headGrads[i]!));
    this.#graph.outputSlots.forEach((s, i) => m.set(s, this.outputs[i]!));
    const views = [...this.#memory.values()].flatMap((mem) =>
      mem.slots
        .filter((slot) => !this.#outputViews.has(slot))
        .map((slot) => {
          const view = this.#plan.slotArray(slot);
          m.set(slot, view);
          return view;
        }),
    );
    return { arrays: m, views };
  }

  /**
   * Calls `cb(name, array)` after each node (backward ones too) with its outputs, named as MXNet
   * does (`fc1_output`, `fc1_backward_output0`), and before it with its inputs when `monitorAll`.
   * The arrays of intermediates are views into the arena, freed after the pass: copy one to keep it.
   */
  setMonitorCallback(cb: MonitorCallback | null, monitorAll = false): void {
    this.#monitor = cb ? { cb, all: monitorAll } : null;
  }

  /** Copies parameter values in by name (MXNet's copy_params_from). */
  copyParamsFrom(argParams: ArrayMap, auxParams: ArrayMap = {}, allowExtra = false): void {
    const copyInto = (src: ArrayMap, index: ReadonlyMap<string, number>, arrays: NDArray[], what: string): void => {
      for (const [name, value] of Object.entries(src)) {
        const i = index.get(name);
        if (i === undefined) {
          if (allowExtra) continue;
          throw new ValueError(`copyParamsFrom: '${name}' is not ${what} of the executor`);
        }
        value.copyTo(arrays[i]!);
      }
    };
    copyInto(argParams, this.#argIndex, this.argArrays, 'an argument');
    copyInto(auxParams, this.#auxIndex, this.auxArrays, 'an auxiliary state');
  }

  /**
   * A new executor for new input shapes that shares parameters, gradients and the arena with this
   * one (MXNet's reshape). Growing an argument other than the given inputs needs `allowUpSizing`.
   */
  reshape(
    shapes: Readonly<Record<string, readonly number[]>>,
    opts: { partialShaping?: boolean; allowUpSizing?: boolean } = {},
  ): Executor {
    const next = Executor.simpleBind(this.symbol, {
      ctx: this.context,
      shapes,
      gradReq: this.#gradReqs(),
      sharedExec: this,
      ...(this.#group2ctx ? { group2ctx: this.#group2ctx } : {}),
      ...(this.#amp ? { amp: this.#amp } : {}),
    });
    next.#graph.argNames.forEach((n, i) => {
      if (n in shapes) return;
      const mine = this.argArrays[i]!;
      const theirs = next.argArrays[i]!;
      if (theirs === mine) return;
      const grew = theirs.size > mine.size;
      if ((grew && !opts.allowUpSizing) || (!grew && !opts.partialShaping)) {
        next.dispose();
        throw new ShapeError(
          `reshape: argument '${n}' would change from ${fmt(mine.shape)} to ${fmt(theirs.shape)}; ` +
            `pass ${grew ? 'allowUpSizing' : 'partialShaping'} to allow it`,
        );
      }
    });
    return next;
  }

  #gradReqs(): Record<string, GradReq> {
    return Object.fromEntries(this.#graph.argNames.map((n, i) => [n, this.gradArrays[i] ? 'write' : 'null']));
  }

  /** The plan and its memory, readable: one line per instruction, then the arena summary. */
  debugStr(): string {
    const g = this.#graph;
    const slot = (s: number): string => {
      const d = g.slots[s]!;
      return `${d.kind}:${d.name}${fmt(d.shape)}${d.ctx.equals(this.context) ? '' : `@${d.ctx}`}`;
    };
    const lines = g.instructions.map(
      (ins, pc) =>
        `${pc < g.numForward ? 'fwd' : 'bwd'} ${String(pc).padStart(3)} ${ins.kernel.padEnd(26)} ${g.nodeNames[ins.node]}: ` +
        `(${ins.inputs.map(slot).join(', ')}) -> (${ins.outputs.map(slot).join(', ')})`,
    );
    for (const [id, m] of this.#memory) {
      const where = m.ctx.equals(this.context) ? '' : ` on ${m.ctx}`;
      lines.push(
        `arena${where}: ${m.plan.arenaBytes} bytes planned for ${m.slots.length} intermediates and outputs ` +
          `of ${m.plan.totalBytes} bytes in all (shared arena: ${this.#pools.get(id)!.bytes} bytes)`,
      );
    }
    return lines.join('\n');
  }

  /** Frees the plan and every array this executor allocated (not arrays passed to bind). */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#plan.dispose();
    for (const id of this.#memory.keys()) this.#pools.get(id)!.leave(this);
    for (const a of this.#owned) a.dispose();
  }

  #checkLive(op: string): void {
    if (this.#disposed) throw new StateError(`${op}: the executor was disposed`);
  }
}

interface BoundArrays {
  args: NDArray[];
  grads: (NDArray | null)[];
  aux: NDArray[];
  owned: NDArray[];
}

function checkShapes(graph: CompiledGraph, args: ArrayMap, aux: ArrayMap): void {
  graph.argNames.forEach((n, i) => {
    const want = graph.slots[graph.argSlots[i]!]!.shape;
    if (!sameShape(args[n]!.shape, want)) {
      throw new ShapeError(`bind: argument '${n}' has shape ${fmt(args[n]!.shape)}, the symbol needs ${fmt(want)}`);
    }
  });
  graph.auxNames.forEach((n, i) => {
    const want = graph.slots[graph.auxSlots[i]!]!.shape;
    if (!sameShape(aux[n]!.shape, want)) {
      throw new ShapeError(`bind: auxiliary state '${n}' has shape ${fmt(aux[n]!.shape)}, the symbol needs ${fmt(want)}`);
    }
  });
}

function checkAmp(amp: unknown): 'bfloat16' | undefined {
  if (amp === undefined || amp === 'bfloat16') return amp;
  throw new ValueError(`Executor.bind: amp must be 'bfloat16' (or left out), got ${String(amp)}`);
}

function requireContext(array: NDArray, ctx: Context, what: string): void {
  if (!array.context.equals(ctx)) {
    throw new BindError(
      `bind: ${what} lives on ${array.context}, but its node runs on ${ctx} (arrays go on the executor's context or, with group2ctx, on their group's)`,
    );
  }
}

function checkContexts(graph: CompiledGraph, args: ArrayMap, aux: ArrayMap): void {
  graph.argNames.forEach((n, i) => requireContext(args[n]!, graph.slots[graph.argSlots[i]!]!.ctx, `argument '${n}'`));
  graph.auxNames.forEach((n, i) => requireContext(aux[n]!, graph.slots[graph.auxSlots[i]!]!.ctx, `auxiliary state '${n}'`));
}

function byName<T>(given: Readonly<Record<string, T>> | readonly T[], names: readonly string[], what: string): Record<string, T> {
  if (!Array.isArray(given)) {
    const known = new Set(names);
    const extra = Object.keys(given).filter((k) => !known.has(k));
    if (extra.length > 0)
      throw new BindError(`bind: ${what} has unknown names ${extra.join(', ')} (expected ${names.join(', ')})`);
    return { ...(given as Record<string, T>) };
  }
  const list = given as readonly T[];
  if (list.length !== names.length) {
    throw new BindError(`bind: ${what} has ${list.length} arrays, the symbol has ${names.length} (${names.join(', ')})`);
  }
  return Object.fromEntries(names.map((n, i) => [n, list[i]!]));
}

function gradReqMap(spec: GradReqSpec, names: readonly string[]): Record<string, GradReq> {
  const valid = (r: string, n: string): GradReq => {
    if (r !== 'write' && r !== 'add' && r !== 'null') throw new ValueError(`bind: invalid gradReq '${r}' for '${n}'`);
    return r;
  };
  if (typeof spec === 'string') return Object.fromEntries(names.map((n) => [n, valid(spec, n)]));
  if (Array.isArray(spec)) {
    if (spec.length !== names.length)
      throw new BindError(`bind: gradReq has ${spec.length} entries for ${names.length} arguments`);
    return Object.fromEntries(names.map((n, i) => [n, valid(spec[i]!, n)]));
  }
  const map = spec as Readonly<Record<string, GradReq>>;
  return Object.fromEntries(names.map((n) => [n, valid(ownValue(map, n) ?? 'null', n)]));
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

export const bind = Executor.bind;
export const simpleBind = Executor.simpleBind;
