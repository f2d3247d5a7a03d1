// The KVStore contract (MXNet's mx.kv.KVStore) and the base every store builds on. The base owns what
// does not depend on where values live or how they travel: argument forms, key bookkeeping and
// validation, the updater, optimizer state files. A store supplies the data path (initKey, pushKey,
// pullKey); a distributed store puts its transport there, the local stores their in-process copies.
import { readFileSync } from 'node:fs';

import {
  checkOptions,
  type DType,
  DTypeError,
  IndexError,
  NDArray,
  NativeError,
  ShapeError,
  StateError,
  ValueError,
  writeFileAtomic,
} from '@bkt/ndarray';
import { getUpdater, Optimizer, type Updater } from '@bkt/optimizer';

import { type KeyKind, type KVKey, type KVKeys, type KVValues, flattenPairs, fmtKey, fmtShape, kindOf } from './arguments.js';
import type { GradientCompressionParams } from './gradient-compression.js';

/** MXNet's updater signature: fold the merged push into the stored value, in place. */
export type UpdaterFn = (key: KVKey, merged: NDArray, stored: NDArray) => void;

/** The handle of a pushPull begun early (KVStore.beginPushPull). */
export interface EarlyPushPull {
  /** These keys' values are final (keys not in the pushPull are ignored). */
  ready(keys: readonly KVKey[]): void;
  /** Every value is final. */
  done(): void;
}

export interface KVStore {
  /** The type name given to create(), lower-cased (MXNet's `type`). */
  readonly type: string;
  /** This worker's rank: 0 for the local stores. */
  readonly rank: number;
  /** How many workers share the store: 1 for the local stores. */
  readonly numWorkers: number;
  /** The Updater installed by setOptimizer (null without one, or after setUpdater). */
  readonly optimizerUpdater: Updater | null;

  /** Initialises keys with a copy of their values; each key once (MXNet init). */
  init(keys: KVKeys, values: KVValues): void;
  /** Sums the values of each key (one per device) into the stored value, through the updater if any (MXNet push). */
  push(keys: KVKeys, values: KVValues, priority?: number): void;
  /** Copies each key's stored value into every out (MXNet pull); bkt has no sparse arrays, so ignoreSparse has no effect. */
  pull(keys: KVKeys, outs: KVValues, priority?: number, ignoreSparse?: boolean): void;
  /**
   * Copies only the rows `rowIds` of each key's stored value into every out (MXNet row_sparse_pull):
   * a row_sparse out then holds exactly those rows, a dense out gets them in place and keeps its other
   * rows. One rowIds array serves every out, or give one per out; ids need not be sorted or unique.
   */
  rowSparsePull(keys: KVKeys, outs: KVValues, opts: RowSparsePullOptions): void;
  /** push then pull; without outs the result is written back into the values (MXNet pushpull). */
  pushPull(keys: KVKeys, values: KVValues, outs?: KVValues, priority?: number): void;
  /**
   * Starts a pushPull of `keys` while `values` are still being computed (bkt's addition, for
   * overlapping communication with the backward pass): tell the handle which keys are final with
   * `ready`, and `done` when all are; then call pushPull with the same keys and arrays to complete
   * it. Null where nothing can start early (the in-process stores): just call pushPull.
   */
  beginPushPull(keys: KVKeys, values: KVValues): EarlyPushPull | null;
  /** init from values, then pull into outs (MXNet broadcast). */
  broadcast(keys: KVKeys, values: KVValues, outs: KVValues, priority?: number): void;
  /** Runs updates on the store with getUpdater(optimizer) (MXNet set_optimizer). */
  setOptimizer(optimizer: Optimizer): void;
  /** Runs updates on the store with a custom function (MXNet _set_updater). */
  setUpdater(updater: UpdaterFn): void;
  /** Compresses pushed gradients (MXNet set_gradient_compression; only stores that move data support it). */
  setGradientCompression(params: GradientCompressionParams): void;
  /** MXNet is_capable: 'optimizer' when updates can run on the store. */
  isCapable(capability: string): boolean;
  /** Waits for every worker (MXNet _barrier); immediate with one worker. */
  barrier(): void;
  /** Writes the optimizer states (bkt's binary format, see @bkt/optimizer) atomically to `path`. */
  saveOptimizerStates(path: string, dumpOptimizer?: boolean): void;
  /** Restores optimizer states written by saveOptimizerStates. */
  loadOptimizerStates(path: string): void;
  /** Frees the stored values, optimizer states and compression residuals. */
  dispose(): void;
}

export interface RowSparsePullOptions {
  /** Row indices to pull: one array for every out, or one per out. */
  rowIds: NDArray | readonly NDArray[];
  priority?: number;
}

/** The distinct rows of `ids` in ascending order; IndexError for a row outside [0, numRows). */
function sortedRows(op: string, key: KVKey, ids: NDArray, numRows: number): number[] {
  if (!(ids instanceof NDArray) || ids.ndim !== 1)
    throw new ValueError(`${op}: rowIds of key ${fmtKey(key)} must be a 1-d array of row indices`);
  const rows = [...new Set(ids.toArray())].sort((a, b) => a - b);
  for (const r of rows) {
    if (!Number.isInteger(r) || r < 0 || r >= numRows) {
      throw new IndexError(`${op}: row id ${r} of key ${fmtKey(key)} is outside [0, ${numRows})`);
    }
  }
  return rows;
}

/** What the store knows about an initialised key. */
export interface KeyInfo {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Processing order within a call: the integer itself, or a string key's init order (as MXNet maps strings to ints). */
  readonly ordinal: number;
}

/** The arrays of one key in one call, after repeated keys are merged. */
export interface KeyGroup {
  readonly key: KVKey;
  readonly info: KeyInfo;
  readonly arrays: NDArray[];
}

export abstract class KVStoreBase implements KVStore {
  readonly #keys = new Map<KVKey, KeyInfo>();
  #keyKind: KeyKind | null = null;
  #nextStringOrdinal = 0;
  #updater: UpdaterFn | null = null;
  #optimizerUpdater: Updater | null = null;
  #disposed = false;

  constructor(readonly type: string) {}

  get rank(): number {
    return 0;
  }

  get numWorkers(): number {
    return 1;
  }

  get optimizerUpdater(): Updater | null {
    return this.#optimizerUpdater;
  }

  /** The function pushes go through, or null: the merged value then replaces the stored one. */
  protected get updater(): UpdaterFn | null {
    return this.#updater;
  }

  /** Stores `value` (a copy) as key's initial value. */
  protected abstract initKey(key: KVKey, value: NDArray): void;
  /** Merges one key's pushed arrays (validated: the key's shape and dtype) into its stored value. */
  protected abstract pushKey(group: KeyGroup): void;
  /** Writes one key's stored value into each out (validated: the key's shape). */
  protected abstract pullKey(group: KeyGroup): void;
  /** Writes the rows `rows[k]` (sorted, unique, in range) of one key's stored value into out k. */
  protected abstract pullKeyRows(group: KeyGroup, rows: readonly (readonly number[])[]): void;
  /** Frees everything the store holds for its keys. */
  protected abstract release(): void;
  abstract setGradientCompression(params: GradientCompressionParams): void;

  /** Merges the pushed groups of one call, in order; a distributed store fuses them into few messages. */
  protected pushAll(groups: readonly KeyGroup[]): void {
    for (const g of groups) this.pushKey(g);
  }

  /** What the store knows about `key` (undefined before its init). */
  protected keyInfo(key: KVKey): KeyInfo | undefined {
    return this.#keys.get(key);
  }

  /** A store's extra checks of pushed arrays, run before anything changes. */
  protected checkPush(_op: string, _group: KeyGroup): void {}

  init(keys: KVKeys, values: KVValues): void {
    const op = 'init';
    this.checkOpen(op);
    const pairs = flattenPairs(op, keys, values, 'value');
    const fresh = new Set<KVKey>();
    for (const [key, arrays] of pairs) {
      this.checkKind(op, key);
      if (this.#keys.has(key) || fresh.has(key)) throw new ValueError(`${op}: duplicate init of key ${fmtKey(key)}`);
      if (arrays.length !== 1) {
        throw new ValueError(`${op}: key ${fmtKey(key)} got ${arrays.length} values; init takes one array per key`);
      }
      checkAlive(op, key, arrays[0]!, 'value');
      fresh.add(key);
    }
    for (const [key, [value]] of pairs) {
      this.#keyKind ??= kindOf(op, key);
      const ordinal = typeof key === 'number' ? key : this.#nextStringOrdinal++;
      this.#keys.set(key, { shape: [...value!.shape], dtype: value!.dtype, ordinal });
      this.initKey(key, value!);
    }
  }

  push(keys: KVKeys, values: KVValues, priority = 0): void {
    this.pushAll(this.pushGroups('push', keys, values, priority));
  }

  pull(keys: KVKeys, outs: KVValues, priority = 0, ignoreSparse = true): void {
    checkFlag('pull', 'ignoreSparse', ignoreSparse);
    const groups = this.pullGroups('pull', keys, outs, priority);
    for (const g of groups) this.pullKey(g);
  }

  rowSparsePull(keys: KVKeys, outs: KVValues, opts: RowSparsePullOptions): void {
    const op = 'rowSparsePull';
    checkOptions(opts, ['rowIds', 'priority'], op);
    const groups = this.pullGroups(op, keys, outs, opts?.priority ?? 0);
    const given = opts?.rowIds;
    const ids = given instanceof NDArray ? [given] : Array.isArray(given) ? given : null;
    if (ids === null || ids.length === 0) throw new ValueError(`${op}: rowIds must be an array of row indices or a list of them`);
    const numOuts = groups.reduce((n, g) => n + g.arrays.length, 0);
    if (ids.length !== 1 && ids.length !== numOuts) {
      throw new ValueError(`${op}: ${ids.length} rowIds arrays for ${numOuts} outs; give one for all or one per out`);
    }
    let k = 0;
    for (const g of groups) {
      const rows = g.arrays.map(() =>
        sortedRows(op, g.key, ids[ids.length === 1 ? 0 : k++]!, this.#keys.get(g.key)!.shape[0] ?? 0),
      );
      this.pullKeyRows(g, rows);
    }
  }

  pushPull(keys: KVKeys, values: KVValues, outs?: KVValues, priority = 0): void {
    const pushes = this.pushGroups('pushPull', keys, values, priority);
    const pulls = this.pullGroups('pushPull', keys, outs ?? values, priority);
    this.pushAll(pushes);
    for (const g of pulls) this.pullKey(g);
  }

  beginPushPull(_keys: KVKeys, _values: KVValues): EarlyPushPull | null {
    return null;
  }

  broadcast(keys: KVKeys, values: KVValues, outs: KVValues, priority = 0): void {
    checkPriority('broadcast', priority);
    this.init(keys, values);
    this.pull(keys, outs, priority);
  }

  setOptimizer(optimizer: Optimizer): void {
    this.checkOpen('setOptimizer');
    if (!(optimizer instanceof Optimizer)) {
      throw new ValueError(
        'setOptimizer: expected an Optimizer (from @bkt/optimizer create(...)); use setUpdater for a function',
      );
    }
    const updater = getUpdater(optimizer);
    this.replaceUpdater((key, merged, stored) => updater.update(key, merged, stored), updater);
  }

  setUpdater(updater: UpdaterFn): void {
    this.checkOpen('setUpdater');
    if (typeof updater !== 'function')
      throw new ValueError('setUpdater: the updater must be a function (key, merged, stored) => void');
    this.replaceUpdater(updater, null);
  }

  isCapable(capability: string): boolean {
    if (String(capability).toLowerCase() === 'optimizer') return true;
    throw new ValueError(`isCapable: unknown capability '${capability}'; known: optimizer`);
  }

  barrier(): void {
    this.checkOpen('barrier');
  }

  /**
   * `dumpOptimizer` is accepted for MXNet compatibility: bkt's state format always carries what MXNet's
   * dump_optimizer is for (update counts, learning rate, scheduler position), never the hyper-parameters.
   */
  saveOptimizerStates(path: string, dumpOptimizer = false): void {
    const op = 'saveOptimizerStates';
    checkFlag(op, 'dumpOptimizer', dumpOptimizer);
    writeFileAtomic(op, path, this.requireOptimizer(op).getStates());
  }

  loadOptimizerStates(path: string): void {
    const op = 'loadOptimizerStates';
    const updater = this.requireOptimizer(op);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      throw new NativeError(`${op}: cannot read '${path}': ${(e as Error).message}`);
    }
    updater.setStates(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#optimizerUpdater?.dispose();
    this.#optimizerUpdater = null;
    this.#updater = null;
    this.release();
  }

  private replaceUpdater(fn: UpdaterFn, owner: Updater | null): void {
    this.#optimizerUpdater?.dispose();
    this.#optimizerUpdater = owner;
    this.#updater = fn;
  }

  private requireOptimizer(op: string): Updater {
    this.checkOpen(op);
    if (this.#optimizerUpdater === null) {
      throw new StateError(
        `${op}: the ${this.type} store has no optimizer; call setOptimizer first (a setUpdater function keeps no states)`,
      );
    }
    return this.#optimizerUpdater;
  }

  private checkOpen(op: string): void {
    if (this.#disposed) throw new StateError(`${op}: the ${this.type} store was disposed`);
  }

  private checkKind(op: string, key: KVKey): void {
    const kind = kindOf(op, key);
    if (this.#keyKind !== null && kind !== this.#keyKind) {
      throw new ValueError(
        `${op}: key ${fmtKey(key)} is ${kind === 'string' ? 'a string' : 'an integer'} but this store uses ${this.#keyKind} keys ` +
          '(MXNet does not allow mixing key types)',
      );
    }
  }

  /** The call's pairs grouped by key (arrays of a repeated key concatenated), ordered as MXNet processes keys. */
  private groups(op: string, keys: KVKeys, arrays: KVValues, what: string): KeyGroup[] {
    this.checkOpen(op);
    const byKey = new Map<KVKey, KeyGroup>();
    for (const [key, list] of flattenPairs(op, keys, arrays, what)) {
      this.checkKind(op, key);
      const info = this.#keys.get(key);
      if (info === undefined) throw new StateError(`${op}: key ${fmtKey(key)} has not been initialised (call init first)`);
      list.forEach((a) => checkAlive(op, key, a, what));
      const group = byKey.get(key);
      if (group === undefined) byKey.set(key, { key, info, arrays: list });
      else group.arrays.push(...list);
    }
    return [...byKey.values()].sort((a, b) => a.info.ordinal - b.info.ordinal);
  }

  protected pushGroups(op: string, keys: KVKeys, values: KVValues, priority: number): KeyGroup[] {
    checkPriority(op, priority);
    const groups = this.groups(op, keys, values, 'value');
    for (const g of groups) {
      g.arrays.forEach((a, i) => {
        const which = describeArray(g, i, 'value');
        if (!sameShape(a.shape, g.info.shape)) {
          throw new ShapeError(
            `${op}: ${which} has shape ${fmtShape(a.shape)} but the key was initialised with shape ${fmtShape(g.info.shape)}`,
          );
        }
        if (a.dtype !== g.info.dtype) {
          throw new DTypeError(`${op}: ${which} is ${a.dtype} but the key was initialised as ${g.info.dtype}`);
        }
      });
      this.checkPush(op, g);
    }
    return groups;
  }

  protected pullGroups(op: string, keys: KVKeys, outs: KVValues, priority: number): KeyGroup[] {
    checkPriority(op, priority);
    const groups = this.groups(op, keys, outs, 'out');
    for (const g of groups) {
      g.arrays.forEach((a, i) => {
        if (!sameShape(a.shape, g.info.shape)) {
          throw new ShapeError(
            `${op}: ${describeArray(g, i, 'out')} has shape ${fmtShape(a.shape)} but the key holds shape ${fmtShape(g.info.shape)}`,
          );
        }
      });
    }
    return groups;
  }
}

/** "the value for key 3" or, in a per-device list, "value 1 (cpu(1)) for key 3". */
function describeArray(g: KeyGroup, i: number, what: string): string {
  const a = g.arrays[i]!;
  return g.arrays.length === 1 ? `the ${what} for key ${fmtKey(g.key)}` : `${what} ${i} (${a.context}) for key ${fmtKey(g.key)}`;
}

function checkAlive(op: string, key: KVKey, a: NDArray, what: string): void {
  if (a.isDisposed) throw new StateError(`${op}: the ${what} for key ${fmtKey(key)} was disposed`);
}

function checkPriority(op: string, priority: unknown): void {
  if (!Number.isInteger(priority)) throw new ValueError(`${op}: priority must be an integer, got ${String(priority)}`);
}

export function checkFlag(op: string, name: string, flag: unknown): void {
  if (typeof flag !== 'boolean') throw new ValueError(`${op}: ${name} must be a boolean, got ${String(flag)}`);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
