// MXNet's 'dist_sync' and 'dist_device_sync' stores (KVStoreDist in sync mode) on MPI collectives.
// MXNet's servers sum one step's pushes of every worker and apply the update once; here every worker
// holds the whole store, the pushes of a step are summed by an allreduce, and every worker applies
// the same update to the same sum, so the stored values stay bit-identical on all workers and a pull
// needs no message. A call's keys travel in fused buffers; the next buffer is filled while the
// previous one is on the wire. Keys pushed by only some workers in a call (a bucket the others did
// not see) still meet in one collective: the workers agree on the union and the others send zeros.
import { DTYPE_CODES, DTypeError, type NDArray, StateError } from '@bkt/ndarray';
import { sharedBytes } from '@bkt/ndarray/internal';

import { fmtKey, fmtShape, type KVKey, type KVKeys, type KVValues } from '../arguments.js';
import { GradientCompression, type GradientCompressionParams } from '../gradient-compression.js';
import type { EarlyPushPull, KeyGroup } from '../kvstore.js';
import { LocalStore } from '../local-store.js';
import { type Merged, sumOn } from '../reduce.js';
import { allocate, disposeBuffers, type FusedBuffer, type FusedEntry, fuse } from './fusion.js';
import { type Communicator, communicator, monotonicMs } from './mpi.js';

/** Element types MPI sums. */
const SUMMABLE = new Set(['float32', 'float64', 'int32', 'int64']);
/** How many fused layouts (one per distinct key set pushed) are kept. */
const MAX_LAYOUTS = 16;

/** A byte limit from the environment (a positive integer), or its default. */
function bytesFromEnv(name: string, fallback: number): number {
  const given = process.env[name];
  const n = given === undefined ? fallback : Number(given);
  if (!Number.isInteger(n) || n <= 0) throw new StateError(`${name} must be a positive integer, got '${given}'`);
  return n;
}

/** The buffers one key set travels in: the sums, or with compression the packed words sent and gathered. */
interface Layout {
  readonly keys: readonly KVKey[];
  readonly sums: readonly FusedBuffer[];
  readonly words: readonly FusedBuffer[];
  readonly gathered: readonly FusedBuffer[];
}

/**
 * A pushPull begun while its gradients were still being computed: its buckets (fused buffers, the
 * keys in reverse order, so the last layers' gradients first) go on the wire, in order, as soon as
 * all their keys are final.
 */
interface EarlyPush {
  readonly groups: readonly KeyGroup[];
  readonly mine: ReadonlyMap<KVKey, KeyGroup>;
  readonly layout: Layout;
  /** Per bucket, its keys whose values are not yet in the bucket. */
  readonly waiting: Set<KVKey>[];
  readonly tickets: number[];
  /** When the backward pass ended (done()), monotonic ms; null before. */
  backwardEndedMs: number | null;
}

/** When the buckets of the last overlapped pushPull started on the comm thread, and when backward ended. */
export interface OverlapTimeline {
  readonly bucketStartedMs: readonly number[];
  readonly backwardEndedMs: number;
}

export class DistSyncStore extends LocalStore {
  readonly #comm: Communicator;
  readonly #fusionBytes: number;
  readonly #bucketBytes: number;
  #early: EarlyPush | null = null;
  #lastOverlap: OverlapTimeline | null = null;
  /** Every key in init order (the same on every worker: init checks it) and each key's place in it. */
  readonly #keys: KVKey[] = [];
  readonly #place = new Map<KVKey, number>();
  readonly #layouts = new Map<string, Layout>();
  #initialising: KVKey[] = [];
  #compression: GradientCompression | null = null;

  constructor(type: string) {
    super(type);
    this.#fusionBytes = bytesFromEnv('BKT_KVSTORE_FUSION_BYTES', 16 * 1024 * 1024);
    this.#bucketBytes = bytesFromEnv('BKT_KVSTORE_BUCKET_BYTES', 2 * 1024 * 1024);
    this.#comm = communicator(`create('${type}')`);
  }

  override get rank(): number {
    return this.#comm.rank;
  }

  override get numWorkers(): number {
    return this.#comm.size;
  }

  /** Rank 0's values win: every worker checks it initialises the same keys, then receives rank 0's bytes. */
  override init(keys: KVKeys, values: KVValues): void {
    this.#dropEarly();
    this.#initialising = [];
    super.init(keys, values);
    const fresh = this.#initialising;
    const described = fresh.map((k) => {
      const info = this.keyInfo(k)!;
      return `key ${fmtKey(k)} ${fmtShape(info.shape)} ${info.dtype}`;
    });
    this.#agree('init', described);
    const tickets = fresh.map((k) => this.#comm.broadcast(sharedBytes(this.stored.get(k)!), DTYPE_CODES.uint8, 0));
    tickets.forEach((t, i) => this.#comm.wait(t, `init of key ${fmtKey(fresh[i]!)}`));
    for (const k of fresh) {
      this.#place.set(k, this.#keys.length);
      this.#keys.push(k);
    }
  }

  /** Kept dense (a row_sparse value's bytes are not one block to broadcast). */
  protected override initKey(key: KVKey, value: NDArray): void {
    this.stored.set(key, value.stype === 'default' ? value.copy() : value.tostype('default'));
    this.#initialising.push(key);
  }

  override setGradientCompression(params: GradientCompressionParams): void {
    this.#dropEarly();
    if (this.#compression === null) this.#compression = new GradientCompression(params);
    else this.#compression.setParams(params);
  }

  /** The active compression, or null. */
  get gradientCompression(): GradientCompression | null {
    return this.#compression;
  }

  override barrier(): void {
    super.barrier();
    this.#dropEarly();
    this.#comm.wait(this.#comm.barrier(), 'barrier');
  }

  protected override checkPush(op: string, group: KeyGroup): void {
    const dtype = group.info.dtype;
    if (this.#compression !== null && dtype !== 'float32') {
      throw new DTypeError(`${op}: 2-bit gradient compression needs float32 gradients but key ${fmtKey(group.key)} is ${dtype}`);
    }
    if (!SUMMABLE.has(dtype)) {
      throw new DTypeError(
        `${op}: the ${this.type} store sums ${[...SUMMABLE].join(', ')} across workers, but key ${fmtKey(group.key)} is ${dtype}`,
      );
    }
  }

  protected override pushAll(groups: readonly KeyGroup[]): void {
    this.#dropEarly();
    const mine = new Map(groups.map((g) => [g.key, g]));
    const layout = this.#layout(this.#unionOfKeys(groups), this.#fusionBytes);
    const buffers = this.#buckets(layout);
    const tickets = buffers.map((buf, b) => {
      buf.keys.forEach((key, i) => this.#fill(buf, i, mine.get(key)));
      return this.#send(layout, b);
    });
    this.#finishPush(layout, tickets);
  }

  /**
   * Starts the pushPull of `keys` while `values` are still being computed: the union of the workers'
   * keys is agreed on now, and each bucket goes out once `ready` has named all its keys. The
   * pushPull(keys, values, outs) that follows completes it; any other push, init or barrier first
   * drops it (its messages still go, so every worker stays in step, and their sums are discarded).
   */
  override beginPushPull(keys: KVKeys, values: KVValues): EarlyPushPull {
    this.#dropEarly();
    const groups = this.pushGroups('pushPull', keys, values, 0);
    const mine = new Map(groups.map((g) => [g.key, g]));
    const layout = this.#layout(this.#unionOfKeys(groups).reverse(), this.#bucketBytes);
    const early: EarlyPush = { groups, mine, layout, waiting: [], tickets: [], backwardEndedMs: null };
    this.#buckets(layout).forEach((buf) => {
      early.waiting.push(new Set(buf.keys.filter((k) => mine.has(k))));
      buf.keys.forEach((key, i) => mine.has(key) || this.#fill(buf, i, undefined));
    });
    this.#early = early;
    this.#sendFinished(early);
    return {
      ready: (names) => {
        if (this.#early === early) this.#markReady(early, names);
      },
      done: () => {
        if (this.#early !== early) return;
        early.backwardEndedMs = monotonicMs();
        this.#markReady(early, [...mine.keys()]);
      },
    };
  }

  override pushPull(keys: KVKeys, values: KVValues, outs?: KVValues, priority = 0): void {
    const early = this.#early;
    const pushes = this.pushGroups('pushPull', keys, values, priority);
    if (early === null || !sameGroups(early.groups, pushes)) {
      super.pushPull(keys, values, outs, priority);
      return;
    }
    const pulls = this.pullGroups('pushPull', keys, outs ?? values, priority);
    this.#early = null;
    this.#markReady(early, [...early.mine.keys()]);
    const started = this.#finishPush(early.layout, early.tickets);
    this.#lastOverlap = { bucketStartedMs: started, backwardEndedMs: early.backwardEndedMs ?? monotonicMs() };
    for (const g of pulls) this.pullKey(g);
  }

  /** The comm-thread start times of the last pushPull begun with beginPushPull (for tests and tuning). */
  get lastOverlap(): OverlapTimeline | null {
    return this.#lastOverlap;
  }

  /** Puts the named keys' values into their buckets and sends every bucket, in order, that is complete. */
  #markReady(early: EarlyPush, names: readonly KVKey[]): void {
    const buffers = this.#buckets(early.layout);
    for (const name of names) {
      const group = early.mine.get(name);
      if (group === undefined) continue;
      buffers.forEach((buf, b) => {
        if (!early.waiting[b]!.delete(name)) return;
        this.#fill(buf, buf.keys.indexOf(name), group);
      });
    }
    this.#sendFinished(early);
  }

  /** Sends the next buckets whose keys are all in, in layout order (the same order on every worker). */
  #sendFinished(early: EarlyPush): void {
    while (early.tickets.length < early.waiting.length && early.waiting[early.tickets.length]!.size === 0) {
      early.tickets.push(this.#send(early.layout, early.tickets.length));
    }
  }

  /** Lets an early push that no pushPull completed finish its messages and forgets it. */
  #dropEarly(): void {
    const early = this.#early;
    if (early === null) return;
    this.#early = null;
    this.#markReady(early, [...early.mine.keys()]);
    early.tickets.forEach((t) => this.#comm.wait(t, 'a dropped early pushPull'));
  }

  /** The buffers that travel: the sums, or with compression the packed words. */
  #buckets(layout: Layout): readonly FusedBuffer[] {
    return this.#compression === null ? layout.sums : layout.words;
  }

  /** Key i of `buf` gets this worker's device-summed value of `group` (quantized with compression), or zeros. */
  #fill(buf: FusedBuffer, i: number, group: KeyGroup | undefined): void {
    const view = buf.views[i]!;
    if (group === undefined) {
      view.fill(0);
      return;
    }
    const compressed = this.#compression;
    const local = sumOn(group.arrays, view.context);
    try {
      if (compressed === null) local.array.copyTo(view);
      else {
        const packed = compressed.quantize(group.key, local.array);
        packed.copyTo(view);
        packed.dispose();
      }
    } finally {
      if (local.owned) local.array.dispose();
    }
  }

  /** Starts bucket b's collective on the comm thread. */
  #send(layout: Layout, b: number): number {
    const buf = this.#buckets(layout)[b]!;
    return this.#compression === null
      ? this.#comm.allreduceSum(buf.memory, DTYPE_CODES[buf.dtype])
      : this.#comm.allgather(buf.memory, layout.gathered[b]!.memory);
  }

  /**
   * Waits for every bucket and applies the sums; returns when each bucket started on the comm thread.
   * With an optimizer (setOptimizer) all the keys take one multi-parameter update, as the local stores do.
   */
  #finishPush(layout: Layout, tickets: readonly number[]): number[] {
    const compressed = this.#compression;
    const buffers = this.#buckets(layout);
    const started = tickets.map((t, b) => this.#comm.wait(t, `push of keys ${buffers[b]!.keys.map(fmtKey).join(', ')}`));
    const keys: KVKey[] = [];
    const merged: Merged[] = [];
    try {
      buffers.forEach((buf, b) => {
        buf.keys.forEach((key, i) => {
          keys.push(key);
          merged.push(
            compressed === null
              ? { array: buf.views[i]!, owned: false }
              : this.#decode(compressed, layout.gathered[b]!, buf.keys.length, i, key),
          );
        });
      });
      this.#apply(
        keys,
        merged.map((m) => m.array),
      );
    } finally {
      for (const m of merged) if (m.owned) m.array.dispose();
    }
    return started;
  }

  /** Every rank's packed words of key i, decoded and summed in rank order (so every rank gets the same sum). */
  #decode(compression: GradientCompression, gathered: FusedBuffer, perRank: number, i: number, key: KVKey): Merged {
    const words = Array.from({ length: this.numWorkers }, (_, r) => gathered.views[r * perRank + i]!);
    return compression.decodeSum(words, this.keyInfo(key)!.shape);
  }

  /** The optimizer (one call for all keys), the updater, or a plain replace, on the sums over all workers. */
  #apply(keys: readonly KVKey[], merged: readonly NDArray[]): void {
    const stored = keys.map((k) => this.stored.get(k)!);
    const optimizer = this.optimizerUpdater;
    if (optimizer !== null) {
      optimizer.update(keys, merged, stored);
      return;
    }
    const updater = this.updater;
    keys.forEach((key, i) => {
      if (updater === null) merged[i]!.copyTo(stored[i]!);
      else updater(key, merged[i]!, stored[i]!);
    });
  }

  /**
   * The keys any worker pushes in this call, in processing order: one small allreduce of a count per
   * key (the same list on every worker), so the call costs one collective besides its data.
   */
  #unionOfKeys(groups: readonly KeyGroup[]): KVKey[] {
    const pushed = new Int32Array(this.#keys.length);
    for (const g of groups) pushed[this.#place.get(g.key)!] = 1;
    this.#comm.wait(this.#comm.allreduceSum(pushed, DTYPE_CODES.int32), 'push (agreeing on the keys)');
    return this.#keys.filter((_, i) => pushed[i]! > 0).sort((a, b) => this.keyInfo(a)!.ordinal - this.keyInfo(b)!.ordinal);
  }

  /** The buffers `keys` travel in, in this order, fused up to `limitBytes` each. */
  #layout(keys: readonly KVKey[], limitBytes: number): Layout {
    const id =
      `${limitBytes}:` + keys.map((k) => this.keyInfo(k)!.ordinal).join(',') + (this.#compression === null ? '' : ':2bit');
    const known = this.#layouts.get(id);
    if (known !== undefined) return known;
    const entries: FusedEntry[] = keys.map((key) => ({ key, shape: this.keyInfo(key)!.shape, dtype: this.keyInfo(key)!.dtype }));
    let layout: Layout;
    if (this.#compression === null) layout = { keys, sums: fuse(entries, limitBytes), words: [], gathered: [] };
    else {
      const packed = entries.map((e) => ({
        key: e.key,
        shape: [Math.ceil(e.shape.reduce((p, d) => p * d, 1) / 16)],
        dtype: 'float32' as const,
      }));
      const words = fuse(packed, limitBytes);
      const gathered = words.map((w) =>
        allocate(
          packed.filter((e) => w.keys.includes(e.key)),
          'float32',
          this.numWorkers,
        ),
      );
      layout = { keys, sums: [], words, gathered };
    }
    if (this.#layouts.size >= MAX_LAYOUTS) {
      const [oldest, dropped] = this.#layouts.entries().next().value as [string, Layout];
      this.#layouts.delete(oldest);
      disposeLayout(dropped);
    }
    this.#layouts.set(id, layout);
    return layout;
  }

  /** Every rank must describe the same list; otherwise a StateError naming the first rank and entry that differ. */
  #agree(op: string, described: readonly string[]): void {
    const all = this.#comm.allgatherStrings(op, JSON.stringify(described)).map((s) => JSON.parse(s) as string[]);
    const reference = all[0]!;
    all.forEach((list, r) => {
      const n = Math.max(list.length, reference.length);
      for (let i = 0; i < n; i++) {
        if (list[i] !== reference[i]) {
          throw new StateError(
            `${op}: rank ${r} has ${list[i] ?? 'no more keys'} where rank 0 has ${reference[i] ?? 'no more keys'} (every worker must set up the same model)`,
          );
        }
      }
    });
  }

  protected override release(): void {
    this.#early = null;
    super.release();
    for (const l of this.#layouts.values()) disposeLayout(l);
    this.#layouts.clear();
    this.#compression?.dispose();
    this.#compression = null;
  }
}

/** The same keys with the very same arrays, in the same order. */
function sameGroups(a: readonly KeyGroup[], b: readonly KeyGroup[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (g, i) => g.key === b[i]!.key && g.arrays.length === b[i]!.arrays.length && g.arrays.every((x, k) => x === b[i]!.arrays[k]),
    )
  );
}

function disposeLayout(l: Layout): void {
  disposeBuffers(l.sums);
  disposeBuffers(l.words);
  disposeBuffers(l.gathered);
}
