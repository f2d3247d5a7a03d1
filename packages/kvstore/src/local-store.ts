// MXNet's 'local' store (KVStoreLocal with CPU comm): each key's value is kept on the context of the
// array it was initialised with (cpu(0) for a Module, MXNet's pinned CPU memory); pushed arrays from
// every device are copied there and summed, and the updater runs there: an optimizer's (setOptimizer)
// once for all the keys of a push, in one native call.
import { array, type Context, type NDArray, sparse, take, ValueError } from '@bkt/ndarray';

import type { KVKey } from './arguments.js';
import type { GradientCompressionParams } from './gradient-compression.js';
import { type KeyGroup, KVStoreBase } from './kvstore.js';
import { type Merged, sumOn } from './reduce.js';

export class LocalStore extends KVStoreBase {
  /** Each key's value; always an array the store owns. */
  protected readonly stored = new Map<KVKey, NDArray>();

  constructor(type = 'local') {
    super(type);
  }

  /** MXNet rejects compression unless the type names 'device' or 'dist': a CPU merge has no link to save. */
  setGradientCompression(_params: GradientCompressionParams): void {
    throw new ValueError(
      `setGradientCompression: gradient compression is not supported by the '${this.type}' store ` +
        "(as in MXNet, only 'device' and distributed stores compress); create the store with create('device')",
    );
  }

  protected initKey(key: KVKey, value: NDArray): void {
    this.stored.set(key, value.copy());
  }

  /** Where a key's pushes are summed and its value kept. */
  protected mergeContext(group: KeyGroup): Context {
    return this.stored.get(group.key)!.context;
  }

  /** The sum of the group's arrays on ctx. */
  protected reduce(group: KeyGroup, ctx: Context): Merged {
    return sumOn(group.arrays, ctx);
  }

  protected pushKey(group: KeyGroup): void {
    this.applyPushes([group]);
  }

  /** With an optimizer (setOptimizer), all the keys of one call take one multi-parameter update. */
  protected override pushAll(groups: readonly KeyGroup[]): void {
    if (this.optimizerUpdater === null) super.pushAll(groups);
    else this.applyPushes(groups);
  }

  /** Sums each group's pushes and folds them into its stored value, through the updater if any. */
  private applyPushes(groups: readonly KeyGroup[]): void {
    const merged: Merged[] = [];
    try {
      const stored = groups.map((group) => {
        const ctx = this.mergeContext(group);
        let value = this.stored.get(group.key)!;
        if (!value.context.equals(ctx)) {
          const moved = value.copyTo(ctx);
          value.dispose();
          this.stored.set(group.key, moved);
          value = moved;
        }
        merged.push(this.reduce(group, ctx));
        return value;
      });
      const optimizer = this.optimizerUpdater;
      const updater = this.updater;
      if (optimizer !== null) {
        optimizer.update(
          groups.map((g) => g.key),
          merged.map((m) => m.array),
          stored,
        );
        return;
      }
      groups.forEach((g, k) => {
        if (updater === null) merged[k]!.array.copyTo(stored[k]!);
        else updater(g.key, merged[k]!.array, stored[k]!);
      });
    } finally {
      for (const m of merged) if (m.owned) m.array.dispose();
    }
  }

  protected pullKeyRows(group: KeyGroup, rows: readonly (readonly number[])[]): void {
    const kept = this.stored.get(group.key)!;
    // A row_sparse value (a row_sparse parameter's) is read through a dense copy.
    const stored = kept.stype === 'default' ? kept : kept.tostype('default');
    group.arrays.forEach((out, k) => {
      const ids = rows[k]!;
      if (out.stype === 'row_sparse') {
        const picked = take(stored, array(ids, { dtype: 'int64' }), { axis: 0 });
        sparse.rowSparseArray([picked, array(ids, { dtype: 'int64' })], stored.shape, { dtype: stored.dtype }).copyTo(out);
        return;
      }
      for (const r of ids) stored.slice(r, r + 1).copyTo(out.slice(r, r + 1));
    });
    if (stored !== kept) stored.dispose();
  }

  protected pullKey(group: KeyGroup): void {
    const stored = this.stored.get(group.key)!;
    for (const out of group.arrays) stored.copyTo(out);
  }

  protected release(): void {
    for (const a of this.stored.values()) a.dispose();
    this.stored.clear();
  }
}
