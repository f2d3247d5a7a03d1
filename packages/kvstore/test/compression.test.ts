import { add, cpu, type NDArray, zeros } from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';

import { randomValues, values } from '../../ndarray/test/helpers.js';
import { create, DeviceStore, type KVKey } from '../src/index.js';
import { DEVICES, expectSameValues, f32, makeRng } from './store-helpers.js';

/**
 * MXNet's 2-bit scheme in plain TS, float32 arithmetic through Math.fround: per (key, sending device)
 * residuals, each device's quantized-then-dequantized gradient, the receiver's sum in device order.
 */
class Reference {
  readonly residuals = new Map<string, Float64Array>();
  constructor(readonly threshold: number) {}

  merge(key: KVKey, grads: readonly ArrayLike<number>[]): number[] {
    const t = Math.fround(this.threshold);
    const sum = new Array<number>(grads[0]!.length).fill(0);
    grads.forEach((g, dev) => {
      const id = `${String(key)}/${dev}`;
      let r = this.residuals.get(id);
      if (r === undefined) this.residuals.set(id, (r = new Float64Array(g.length)));
      for (let i = 0; i < g.length; i++) {
        const acc = Math.fround(r[i]! + Math.fround(g[i]!));
        const sent = acc >= t ? t : acc <= -t ? -t : 0;
        r[i] = Math.fround(acc - sent);
        sum[i] = dev === 0 ? sent : Math.fround(sum[i]! + sent);
      }
    });
    return sum;
  }
}

const accumulate = (_key: KVKey, merged: NDArray, stored: NDArray): void => {
  const total = add(stored, merged);
  total.copyTo(stored);
  total.dispose();
};

describe("2-bit compression on the 'device' store", () => {
  for (const threshold of [0.5, 0.2]) {
    for (const withUpdater of [false, true]) {
      it(`equals the plain TS algorithm over several pushes (threshold ${threshold}, ${withUpdater ? 'stored += merged' : 'no updater'})`, () => {
        const rng = makeRng(31);
        const shapes: Record<string, number[]> = { w: [5, 7], b: [20], e: [16] };
        const keys = Object.keys(shapes);
        const kv = create('device');
        kv.setGradientCompression({ type: '2bit', threshold });
        if (withUpdater) kv.setUpdater(accumulate);
        kv.init(
          keys,
          keys.map((k) => zeros(shapes[k]!)),
        );
        const ref = new Reference(threshold);
        const expected = new Map(keys.map((k) => [k, new Array<number>(shapes[k]!.reduce((p, d) => p * d)).fill(0)]));
        for (let push = 0; push < 6; push++) {
          const grads = keys.map((k) =>
            DEVICES.map(() => Float32Array.from(randomValues(rng, expected.get(k)!.length, -0.6, 0.6))),
          );
          kv.push(
            keys,
            grads.map((perDev, i) => perDev.map((g, d) => f32(g, shapes[keys[i]!]!, DEVICES[d]))),
          );
          keys.forEach((k, i) => {
            const merged = ref.merge(k, grads[i]!);
            expected.set(k, withUpdater ? expected.get(k)!.map((s, j) => Math.fround(s + merged[j]!)) : merged);
          });
          const outs = keys.map((k) => DEVICES.map((ctx) => zeros(shapes[k]!, { ctx })));
          kv.pull(keys, outs);
          keys.forEach((k, i) => outs[i]!.forEach((o) => expectSameValues(o, expected.get(k)!)));
        }
        // The residuals the store carries are the reference's, slot by slot.
        const gc = (kv as DeviceStore).gradientCompression!;
        for (const k of keys) {
          const residuals = gc.residuals(k);
          expect(residuals.map((r) => r.context)).toEqual(DEVICES);
          residuals.forEach((r, d) => expectSameValues(r, ref.residuals.get(`${k}/${d}`)!));
        }
      });
    }
  }

  it('holds back small gradients until their residual crosses the threshold (MXNet test_compress_kvstore)', () => {
    const kv = create('device');
    kv.setGradientCompression({ type: '2bit', threshold: 0.5 });
    kv.init(3, zeros([4]));
    const push = (x: number): number[] => {
      kv.push(
        3,
        DEVICES.map((ctx) => zeros([4], { ctx }).fill(x)),
      );
      const out = zeros([4]);
      kv.pull(3, out);
      return Array.from(values(out));
    };
    expect(push(0.4)).toEqual([0, 0, 0, 0]);
    // 0.4 + (0.5 - 0.3) crosses 0.5 on both devices: each sends +0.5.
    expect(push(0.5 - 0.3)).toEqual([1, 1, 1, 1]);
    expect(push(-1.2)).toEqual([-1, -1, -1, -1]);
    expect(push(0)).toEqual([-1, -1, -1, -1]);
    expect(push(0)).toEqual([0, 0, 0, 0]);
  });

  it('quantizes a single pushed array too, and applies a new threshold to later pushes with residuals kept', () => {
    const kv = create('device');
    kv.setGradientCompression({ type: '2bit' });
    kv.init('w', zeros([3]));
    const out = zeros([3]);
    kv.pushPull('w', f32([0.3, -0.7, 2], [3]), out);
    expectSameValues(out, [0, -0.5, 0.5]);
    // residuals now 0.3, -0.2, 1.5; with threshold 0.25: 0.3 -> +0.25, -0.2 -> 0, 1.5 -> +0.25
    kv.setGradientCompression({ type: '2bit', threshold: 0.25 });
    kv.pushPull('w', f32([0, 0, 0], [3], cpu(1)), out);
    expectSameValues(out, [0.25, 0, 0.25]);
  });

  it('leaves init and pull uncompressed', () => {
    const kv = create('device');
    kv.setGradientCompression({ type: '2bit', threshold: 0.5 });
    kv.init(0, f32([0.123, -7.5], [2]));
    const out = zeros([2]);
    kv.pull(0, out);
    expectSameValues(out, [Math.fround(0.123), -7.5]);
  });
});
