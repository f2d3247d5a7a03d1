// One arena per context, shared by every executor bound against the same shared executor (all
// buckets of a BucketingModule), as MXNet's GraphExecutor shares its data pool with the executors bound
// with shared_exec: each member's intermediates and outputs live in it. It grows once when a larger
// executor joins; the members then re-point their slots (and the output arrays they handed out) at the
// new buffer, so running any of them afterwards allocates nothing. (MXNet's pool instead adds a chunk
// for each need its chunks cannot meet and keeps every chunk, so bound smallest first it ends near the
// sum of the members' plans; here it is one buffer of the largest member's size.)
// Growing copies the old bytes over: a member's slots keep their offsets, so its outputs (and what its
// forward kept for backward) read what they read before, as in MXNet, where an executor keeps its own
// pool chunks when a larger one joins (BucketingModule.prepare binds the next batch's bucket while the
// current one's outputs are still to be read).
// The pool of a group's main context also owns the named arrays (parameters, gradients, aux states,
// inputs) its members allocated first, so that any later member finds them by name — even one
// introduced by a bucket other than the first (MXNet #11384) — and so that they outlive the member
// that created them.
// The arena is never zeroed: every intermediate is written by its instruction before it is read, and
// after the first step the bytes are other intermediates' anyway (zeroing cost a pass over it per bind).
import { type Context, empty, type NDArray } from '@bkt/ndarray';
import { viewBytes } from '@bkt/ndarray/internal';

export interface ArenaUser {
  /** Re-creates the user's views into the (new) buffer of the buffer's context. */
  attachArena(buffer: NDArray): void;
}

export class ArenaPool {
  readonly ctx: Context;
  #buffer: NDArray;
  readonly #users = new Set<ArenaUser>();
  readonly #arrays = new Map<string, NDArray>();
  /** Arrays `replace` took off their keys: members bound before still use them. */
  readonly #retired: NDArray[] = [];

  constructor(ctx: Context, bytes = 0) {
    this.ctx = ctx;
    this.#buffer = empty([bytes], { dtype: 'uint8', ctx });
  }

  get bytes(): number {
    return this.#buffer.isDisposed ? 0 : this.#buffer.size;
  }

  /** Makes the arena at least `bytes` large and attaches `user` to it. */
  join(user: ArenaUser, bytes: number): void {
    this.#users.add(user);
    if (this.#buffer.isDisposed || bytes > this.bytes) {
      const old = this.#buffer;
      this.#buffer = empty([bytes], { dtype: 'uint8', ctx: this.ctx });
      if (!old.isDisposed && old.size > 0) {
        const front = viewBytes(this.#buffer, 0, [old.size], 'uint8');
        old.copyTo(front);
        front.dispose();
      }
      for (const u of this.#users) u.attachArena(this.#buffer);
      old.dispose();
      return;
    }
    user.attachArena(this.#buffer);
  }

  leave(user: ArenaUser): void {
    this.#users.delete(user);
    if (this.#users.size > 0) return;
    this.#buffer.dispose();
    for (const a of this.#arrays.values()) a.dispose();
    this.#arrays.clear();
    for (const a of this.#retired.splice(0)) a.dispose();
  }

  /** The array published under `key` (`arg:<name>`, `grad:<name>`, `aux:<name>`). */
  lookup(key: string): NDArray | undefined {
    return this.#arrays.get(key);
  }

  /** Publishes an array under a key not yet taken; the pool then owns it. */
  publish(key: string, array: NDArray): void {
    if (!this.#arrays.has(key)) this.#arrays.set(key, array);
  }

  /** Publishes a (larger) array under `key` in place of the one there, which the pool keeps until it ends. */
  replace(key: string, array: NDArray): void {
    const old = this.#arrays.get(key);
    if (old !== undefined) this.#retired.push(old);
    this.#arrays.set(key, array);
  }
}

/** The pool of `ctx` in a group's per-context pools, created on first use. */
export function poolOf(pools: Map<number, ArenaPool>, ctx: Context): ArenaPool {
  let pool = pools.get(ctx.deviceId);
  if (!pool) {
    pool = new ArenaPool(ctx);
    pools.set(ctx.deviceId, pool);
  }
  return pool;
}
