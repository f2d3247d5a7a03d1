// MXNet's 2-bit gradient compression as a store applies it: every sending device quantizes its
// gradient against its own residual (one per key and sending slot, living on the sender's context),
// the packed words travel to the merging context, and the receiver sums their dequantized values.
// The kernels are @bkt/ndarray's quantize2bit / dequantize2bit.
import { checkOptions, type Context, dequantize2bit, type NDArray, quantize2bit, ValueError, zeros } from '@bkt/ndarray';

import type { KVKey } from './arguments.js';
import { accumulate, type Merged, onContext } from './reduce.js';

/** MXNet's compression_params: `{ type: '2bit', threshold }` (threshold 0.5 by default, > 0). */
export interface GradientCompressionParams {
  type: '2bit';
  threshold?: number;
}

const TYPES = ['2bit'];

function validate(params: unknown): { type: '2bit'; threshold: number } {
  const op = 'setGradientCompression';
  if (typeof params !== 'object' || params === null) {
    throw new ValueError(`${op}: expected an object such as { type: '2bit', threshold: 0.5 }, got ${String(params)}`);
  }
  const p = checkOptions(params as Record<string, unknown>, ['type', 'threshold'], op);
  if (p.type !== '2bit') {
    throw new ValueError(`${op}: unknown compression type ${JSON.stringify(p.type)}; supported types: ${TYPES.join(', ')}`);
  }
  const threshold = p.threshold ?? 0.5;
  if (typeof threshold !== 'number' || !Number.isFinite(threshold) || !(Math.fround(threshold) > 0)) {
    throw new ValueError(`${op}: threshold must be a finite number greater than 0, got ${String(threshold)}`);
  }
  return { type: '2bit', threshold };
}

export class GradientCompression {
  readonly type = '2bit';
  #threshold: number;
  readonly #residuals = new Map<KVKey, NDArray[]>();

  /** Throws a ValueError for anything but a valid 2-bit configuration. */
  constructor(params: GradientCompressionParams) {
    this.#threshold = validate(params).threshold;
  }

  get threshold(): number {
    return this.#threshold;
  }

  /** New parameters; residuals carry over, as MXNet keeps its buffers. */
  setParams(params: GradientCompressionParams): void {
    this.#threshold = validate(params).threshold;
  }

  /** The residuals of `key`, by sending slot (position in the pushed list); empty before its first push. */
  residuals(key: KVKey): readonly NDArray[] {
    return this.#residuals.get(key) ?? [];
  }

  /** The residual of `key`'s sending slot, zero at first, on the sender's context. */
  #residual(key: KVKey, slot: number, value: NDArray): NDArray {
    let list = this.#residuals.get(key);
    if (list === undefined) this.#residuals.set(key, (list = []));
    let r = list[slot];
    if (r === undefined) {
      r = zeros(value.shape, { ctx: value.context });
      list[slot] = r;
    } else if (!r.context.equals(value.context)) {
      const moved = r.copyTo(value.context);
      r.dispose();
      list[slot] = r = moved;
    }
    return r;
  }

  /** MXNet's compressed reduce: quantize on each sender, move the words to ctx, dequantize, sum in order. */
  reduce(key: KVKey, values: readonly NDArray[], ctx: Context): Merged {
    let sum: Merged | null = null;
    for (const [slot, v] of values.entries()) {
      const packed = quantize2bit(v, this.#residual(key, slot, v), this.#threshold);
      const received = onContext(packed, ctx);
      if (received !== packed) packed.dispose();
      const decoded = dequantize2bit(received, this.#threshold, v.shape);
      received.dispose();
      sum = accumulate(sum, { array: decoded, owned: true });
    }
    return sum!;
  }

  dispose(): void {
    for (const list of this.#residuals.values()) list.forEach((r) => r?.dispose());
    this.#residuals.clear();
  }
}
