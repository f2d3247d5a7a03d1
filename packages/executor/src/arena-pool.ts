// One arena per context, shared by every executor bound against the same shared executor (all
// buckets of a BucketingModule). It grows once when a larger executor joins; the members then re-point
// their intermediates at the new buffer, so running any of them afterwards allocates nothing.
import { type Context, type NDArray, zeros } from '@bkt/ndarray';

export interface ArenaUser {
  /** Re-creates the user's views into the (new) buffer of the buffer's context. */
  attachArena(buffer: NDArray): void;
}

export class ArenaPool {
  readonly ctx: Context;
  #buffer: NDArray;
  readonly #users = new Set<ArenaUser>();

  constructor(ctx: Context, bytes = 0) {
    this.ctx = ctx;
    this.#buffer = zeros([bytes], { dtype: 'uint8', ctx });
  }

  get bytes(): number {
    return this.#buffer.isDisposed ? 0 : this.#buffer.size;
  }

  /** Makes the arena at least `bytes` large and attaches `user` to it. */
  join(user: ArenaUser, bytes: number): void {
    this.#users.add(user);
    if (this.#buffer.isDisposed || bytes > this.bytes) {
      const old = this.#buffer;
      this.#buffer = zeros([bytes], { dtype: 'uint8', ctx: this.ctx });
      for (const u of this.#users) u.attachArena(this.#buffer);
      old.dispose();
      return;
    }
    user.attachArena(this.#buffer);
  }

  leave(user: ArenaUser): void {
    this.#users.delete(user);
    if (this.#users.size === 0) this.#buffer.dispose();
  }
}
