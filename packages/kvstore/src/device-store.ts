// MXNet's 'device' store (KVStoreLocal with device comm). Each key merges on one of the devices that
// push it, picked at its first push to balance the elements merged per device (MXNet spreads keys
// over GPUs the same way); the pushed arrays are copied there and summed, the key's value moves
// there, and the updater runs there. With 2-bit compression every pushed array is quantized on its
// own device first, even a single one, so no device's gradient skips the residual.
import { type Context, DTypeError } from '@bkt/ndarray';

import { fmtKey, type KVKey } from './arguments.js';
import { GradientCompression, type GradientCompressionParams } from './gradient-compression.js';
import type { KeyGroup } from './kvstore.js';
import { LocalStore } from './local-store.js';
import type { Merged } from './reduce.js';

export class DeviceStore extends LocalStore {
  readonly #mergeContexts = new Map<KVKey, Context>();
  /** Elements merged on each device id so far, for balancing new keys. */
  readonly #load = new Map<number, number>();
  #compression: GradientCompression | null = null;

  constructor(type = 'device') {
    super(type);
  }

  /** The active compression, or null. */
  get gradientCompression(): GradientCompression | null {
    return this.#compression;
  }

  override setGradientCompression(params: GradientCompressionParams): void {
    if (this.#compression === null) this.#compression = new GradientCompression(params);
    else this.#compression.setParams(params);
  }

  protected override checkPush(op: string, group: KeyGroup): void {
    if (this.#compression !== null && group.info.dtype !== 'float32') {
      throw new DTypeError(
        `${op}: 2-bit gradient compression needs float32 gradients but key ${fmtKey(group.key)} is ${group.info.dtype}`,
      );
    }
  }

  protected override mergeContext(group: KeyGroup): Context {
    let ctx = this.#mergeContexts.get(group.key);
    if (ctx === undefined) {
      for (const a of group.arrays) {
        if (ctx === undefined || (this.#load.get(a.context.deviceId) ?? 0) < (this.#load.get(ctx.deviceId) ?? 0)) ctx = a.context;
      }
      const size = group.info.shape.reduce((p, d) => p * d, 1);
      this.#load.set(ctx!.deviceId, (this.#load.get(ctx!.deviceId) ?? 0) + size);
      this.#mergeContexts.set(group.key, ctx!);
    }
    return ctx!;
  }

  protected override reduce(group: KeyGroup, ctx: Context): Merged {
    return this.#compression === null ? super.reduce(group, ctx) : this.#compression.reduce(group.key, group.arrays, ctx);
  }

  protected override release(): void {
    super.release();
    this.#compression?.dispose();
    this.#compression = null;
  }
}
