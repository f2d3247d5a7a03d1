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
import type { KeyGroup } from '../kvstore.js';
import { LocalStore } from '../local-store.js';
import { type Merged, sumOn } from '../reduce.js';
import { allocate, disposeBuffers, type FusedBuffer, type FusedEntry, fuse } from './fusion.js';
import { type Communicator, communicator } from './mpi.js';

/** Element types MPI sums. */
const SUMMABLE = new Set(['float32', 'float64', 'int32', 'int64']);
/** How many fused layouts (one per distinct key set pushed) are kept. */
const MAX_LAYOUTS = 16;

/** The fused-buffer limit in bytes (BKT_KVSTORE_FUSION_BYTES, default 16 MiB). */
function fusionBytes(): number {
  const given = process.env['BKT_KVSTORE_FUSION_BYTES'];
  const n = given === undefined ? 16 * 1024 * 1024 : Number(given);
  if (!Number.isInteger(n) || n <= 0) throw new StateError(`BKT_KVSTORE_FUSION_BYTES must be a positive integer, got '${given}'`);
  return n;
}

/** The buffers one key set travels in: the sums, or with compression the packed words sent and gathered. */
interface Layout {
  readonly keys: readonly KVKey[];
  readonly sums: readonly FusedBuffer[];
  readonly words: readonly FusedBuffer[];
  readonly gathered: readonly FusedBuffer[];
}

export class DistSyncStore extends LocalStore {
  readonly #comm: Communicator;
  readonly #fusionBytes: number;
  /** Every key in init order (the same on every worker: init checks it) and each key's place in it. */
  readonly #keys: KVKey[] = [];
  readonly #place = new Map<KVKey, number>();
  readonly #layouts = new Map<string, Layout>();
  #initialising: KVKey[] = [];
  #compression: GradientCompression | null = null;

  constructor(type: string) {
    super(type);
    this.#fusionBytes = fusionBytes();
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
    if (this.#compression === null) this.#compression = new GradientCompression(params);
    else this.#compression.setParams(params);
  }

  /** The active compression, or null. */
  get gradientCompression(): GradientCompression | null {
    return this.#compression;
  }

  override barrier(): void {
    super.barrier();
    this.#comm.wait(this.#comm.barrier(), 'barrier');
  }

  protected override checkPush(op: string, group: KeyGroup): void {
    const dtype = group.info.dtype;
    if (this.#compression !== null && dtype !== 'float32') {
      throw new DTypeError(`${op}: 2-bit gradient compression needs float32 gradients but key ${fmtKey(group.key)} is ${dtype}`);
    }
    if (!SUMMABLE.has(dtype)) {
      throw new DTypeError(`${op}: the ${this.type} store sums ${[...SUMMABLE].join(', ')} across workers, but key ${fmtKey(group.key)} is ${dtype}`);
    }
  }

  protected override pushAll(groups: readonly KeyGroup[]): void {
    const mine = new Map(groups.map((g) => [g.key, g]));
    const layout = this.#layout(this.#unionOfKeys(groups));
    const compressed = this.#compression;
    const tickets: number[] = [];
    const buffers = compressed === null ? layout.sums : layout.words;
    buffers.forEach((buf, b) => {
      buf.keys.forEach((key, i) => {
        const view = buf.views[i]!;
        const group = mine.get(key);
        if (group === undefined) {
          view.fill(0);
          return;
        }
        const local = sumOn(group.arrays, view.context);
        try {
          if (compressed === null) local.array.copyTo(view);
          else {
            const packed = compressed.quantize(key, local.array);
            packed.copyTo(view);
            packed.dispose();
          }
        } finally {
          if (local.owned) local.array.dispose();
        }
      });
      tickets.push(
        compressed === null
          ? this.#comm.allreduceSum(buf.memory, DTYPE_CODES[buf.dtype])
          : this.#comm.allgather(buf.memory, layout.gathered[b]!.memory),
      );
    });
    tickets.forEach((t, b) => this.#comm.wait(t, `push of keys ${buffers[b]!.keys.map(fmtKey).join(', ')}`));
    buffers.forEach((buf, b) => {
      buf.keys.forEach((key, i) => {
        const merged: Merged =
          compressed === null ? { array: buf.views[i]!, owned: false } : this.#decode(compressed, layout.gathered[b]!, buf.keys.length, i, key);
        try {
          this.#apply(key, merged.array);
        } finally {
          if (merged.owned) merged.array.dispose();
        }
      });
    });
  }

  /** Every rank's packed words of key i, decoded and summed in rank order (so every rank gets the same sum). */
  #decode(compression: GradientCompression, gathered: FusedBuffer, perRank: number, i: number, key: KVKey): Merged {
    const words = Array.from({ length: this.numWorkers }, (_, r) => gathered.views[r * perRank + i]!);
    return compression.decodeSum(words, this.keyInfo(key)!.shape);
  }

  /** The updater, or a plain replace, on the sum over all workers. */
  #apply(key: KVKey, merged: NDArray): void {
    const stored = this.stored.get(key)!;
    const updater = this.updater;
    if (updater === null) merged.copyTo(stored);
    else updater(key, merged, stored);
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

  #layout(keys: readonly KVKey[]): Layout {
    const id = keys.map((k) => this.keyInfo(k)!.ordinal).join(',') + (this.#compression === null ? '' : ':2bit');
    const known = this.#layouts.get(id);
    if (known !== undefined) return known;
    const entries: FusedEntry[] = keys.map((key) => ({ key, shape: this.keyInfo(key)!.shape, dtype: this.keyInfo(key)!.dtype }));
    let layout: Layout;
    if (this.#compression === null) layout = { keys, sums: fuse(entries, this.#fusionBytes), words: [], gathered: [] };
    else {
      const packed = entries.map((e) => ({ key: e.key, shape: [Math.ceil(e.shape.reduce((p, d) => p * d, 1) / 16)], dtype: 'float32' as const }));
      const words = fuse(packed, this.#fusionBytes);
      const gathered = words.map((w) => allocate(packed.filter((e) => w.keys.includes(e.key)), 'float32', this.numWorkers));
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
          throw new StateError(`${op}: rank ${r} has ${list[i] ?? 'no more keys'} where rank 0 has ${reference[i] ?? 'no more keys'} (every worker must set up the same model)`);
        }
      }
    });
  }

  protected override release(): void {
    super.release();
    for (const l of this.#layouts.values()) disposeLayout(l);
    this.#layouts.clear();
    this.#compression?.dispose();
    this.#compression = null;
  }
}

function disposeLayout(l: Layout): void {
  disposeBuffers(l.sums);
  disposeBuffers(l.words);
  disposeBuffers(l.gathered);
}
