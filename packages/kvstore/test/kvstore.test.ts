import {
  add,
  array,
  type Context,
  cpu,
  full,
  IndexError,
  memoryStats,
  type NDArray,
  StateError,
  type RowSparseNDArray,
  sparse,
  zeros,
} from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';

import { values } from '../../ndarray/test/helpers.js';
import { create, DeviceStore, knownKVStoreTypes, type KVKey, type KVStore, LocalStore } from '../src/index.js';
import { DEVICES, expectSameValues, f32, makeRng, perDevice } from './store-helpers.js';

const TYPES = ['local', 'device'] as const;

/** float32 sum of the arrays' elements, left to right, as the stores add. */
function referenceSum(arrays: readonly NDArray[]): number[] {
  const vs = arrays.map(values);
  return Array.from(vs[0]!, (_, i) => vs.reduce((s, v, k) => (k === 0 ? v[i]! : Math.fround(s + v[i]!)), 0));
}

/** MXNet test_updater's updater: stored += merged. */
const accumulate = (_key: KVKey, merged: NDArray, stored: NDArray): void => {
  const total = add(stored, merged);
  total.copyTo(stored);
  total.dispose();
};

describe.each(TYPES)("the '%s' store", (type) => {
  it('reuses its copies of pushed arrays and its merge buffers: a later push of the same arrays makes no array', () => {
    const kv = create(type);
    kv.init('g', zeros([64]));
    const grads = [
      f32(
        Array.from({ length: 64 }, (_, i) => i),
        [64],
      ),
      f32(
        Array.from({ length: 64 }, (_, i) => 2 * i),
        [64],
        cpu(1),
      ),
      f32(
        Array.from({ length: 64 }, (_, i) => i % 5),
        [64],
      ),
    ];
    const made = (): [number, number] => {
      const before = memoryStats();
      kv.push('g', grads);
      const after = memoryStats();
      return [after.totalAllocations - before.totalAllocations, after.totalHandles - before.totalHandles];
    };
    expect(made()[0]).toBeGreaterThan(0);
    const out = zeros([64]);
    kv.pull('g', out);
    expectSameValues(out, referenceSum(grads));
    grads[1]!.fill(1);
    grads[0]!.fill(-3);
    expect(made()).toEqual([0, 0]);
    expect(made()).toEqual([0, 0]);
    kv.pull('g', out);
    // the reused buffers carry the newest values, not the first push's
    expectSameValues(out, referenceSum(grads));
  });

  it('pull returns the initial value, broadcast into every out on every device', () => {
    const kv = create(type);
    const init = f32([1, 2, 3, 4, 5, 6], [2, 3]);
    kv.init(3, init);
    const outs = [zeros([2, 3]), zeros([2, 3], { ctx: cpu(1) }), zeros([2, 3])];
    kv.pull(3, outs);
    for (const o of outs) expectSameValues(o, [1, 2, 3, 4, 5, 6]);
    expect(outs[1]!.context).toBe(cpu(1));
    // init copies: changing the array afterwards does not change the store.
    init.fill(9);
    kv.pull(3, outs[0]!);
    expectSameValues(outs[0]!, [1, 2, 3, 4, 5, 6]);
  });

  it('a push of per-device lists sums them and replaces the stored value (no updater)', () => {
    const kv = create(type);
    const rng = makeRng(1);
    kv.init(0, zeros([4, 5]));
    for (let step = 0; step < 3; step++) {
      const grads = [...perDevice(rng, [4, 5]), ...perDevice(rng, [4, 5])];
      kv.push(0, grads);
      const out = zeros([4, 5], { ctx: cpu(1) });
      kv.pull(0, out);
      expectSameValues(out, referenceSum(grads));
    }
  });

  it('a single pushed array replaces the stored value exactly', () => {
    const kv = create(type);
    kv.init('w', zeros([3]));
    kv.push('w', f32([0.1, -2, 3.5], [3], cpu(1)));
    const out = zeros([3]);
    kv.pull('w', out);
    expectSameValues(out, [0.1, -2, 3.5].map(Math.fround));
  });

  it('handles lists of keys, each with an array or a per-device list, and repeated keys (summed)', () => {
    const kv = create(type);
    kv.init([5, 9], [zeros([2]), zeros([3])]);
    const a = f32([1, 2], [2]);
    const b = f32([10, 20], [2], cpu(1));
    const c = f32([100, 200], [2]);
    kv.push([9, 5, 5], [[f32([1, 1, 1], [3]), f32([2, 2, 2], [3], cpu(1))], [a, b], c]);
    const o5 = [zeros([2]), zeros([2], { ctx: cpu(1) })];
    const o9 = zeros([3]);
    kv.pull([5, 9], [o5, o9]);
    for (const o of o5) expectSameValues(o, [111, 222]);
    expectSameValues(o9, [3, 3, 3]);
  });

  it('runs a custom updater on the store (MXNet test_updater: stored += merged)', () => {
    const kv = create(type);
    kv.setUpdater(accumulate);
    kv.init(['a', 'b'], [zeros([4, 4]), zeros([4, 4])]);
    const ones = (): NDArray[] => [cpu(0), cpu(1), cpu(0), cpu(1)].map((ctx) => f32(new Array(16).fill(1), [4, 4], ctx));
    kv.push('a', ones());
    const out = zeros([4, 4]);
    kv.pull('a', out);
    expectSameValues(out, new Array(16).fill(4));
    for (let i = 0; i < 4; i++) kv.push(['a', 'b'], [ones(), ones()]);
    kv.pull(['a', 'b'], [out, zeros([4, 4])]);
    expectSameValues(out, new Array(16).fill(20));
  });

  it('passes each key to the updater, keys of a call in MXNet order (integers ascending, strings in init order)', () => {
    const seen: KVKey[] = [];
    const ints = create(type);
    ints.setUpdater((key) => seen.push(key));
    ints.init([7, 2, 4], [zeros([1]), zeros([1]), zeros([1])]);
    ints.push([4, 7, 2], [zeros([1]), zeros([1]), zeros([1])]);
    expect(seen).toEqual([2, 4, 7]);
    seen.length = 0;
    const strs = create(type);
    strs.setUpdater((key) => seen.push(key));
    strs.init(['z', 'a'], [zeros([1]), zeros([1])]);
    strs.init('m', zeros([1]));
    strs.push(['m', 'a', 'z'], [zeros([1]), zeros([1]), zeros([1])]);
    expect(seen).toEqual(['z', 'a', 'm']);
  });

  it('pushPull writes into outs, or back into the pushed values without outs', () => {
    const kv = create(type);
    kv.init(1, zeros([2]));
    const grads = [f32([1, 2], [2]), f32([3, 4], [2], cpu(1))];
    const outs = [zeros([2], { ctx: cpu(1) }), zeros([2])];
    kv.pushPull(1, grads, outs);
    for (const o of outs) expectSameValues(o, [4, 6]);
    kv.pushPull(1, grads);
    for (const g of grads) expectSameValues(g, [4, 6]);
  });

  it('broadcast initialises a key and pulls it into every out', () => {
    const kv = create(type);
    const outs = DEVICES.map((ctx) => zeros([3], { ctx }));
    kv.broadcast('w', f32([1, 2, 3], [3]), outs);
    for (const o of outs) expectSameValues(o, [1, 2, 3]);
    kv.push('w', f32([4, 5, 6], [3]));
    kv.pull('w', outs);
    for (const o of outs) expectSameValues(o, [4, 5, 6]);
  });

  it('pulls into an out of another dtype by converting (MXNet copies with a cast)', () => {
    const kv = create(type);
    kv.init(0, f32([1.5, -2.25], [2]));
    const out = zeros([2], { dtype: 'float64' });
    kv.pull(0, out);
    expectSameValues(out, [1.5, -2.25]);
  });

  it('keeps float64 keys in float64', () => {
    const kv = create(type);
    kv.init(0, zeros([2], { dtype: 'float64' }));
    const x = 0.1 + 1e-12;
    kv.push(0, [zeros([2], { dtype: 'float64' }).fill(x), zeros([2], { dtype: 'float64', ctx: cpu(1) }).fill(x)]);
    const out = zeros([2], { dtype: 'float64' });
    kv.pull(0, out);
    expectSameValues(out, [2 * x, 2 * x]);
  });

  it('reports MXNet single-worker attributes', () => {
    const kv = create(type);
    expect(kv.type).toBe(type);
    expect(kv.rank).toBe(0);
    expect(kv.numWorkers).toBe(1);
    expect(kv.isCapable('optimizer')).toBe(true);
    expect(kv.isCapable('OPTIMIZER')).toBe(true);
    expect(kv.optimizerUpdater).toBeNull();
    kv.barrier();
  });

  it('handles empty arrays', () => {
    const kv = create(type);
    kv.init(0, zeros([0, 3]));
    kv.push(0, [zeros([0, 3]), zeros([0, 3], { ctx: cpu(1) })]);
    const out = zeros([0, 3]);
    kv.pull(0, out);
    expect(out.shape).toEqual([0, 3]);
  });
});

describe('where the stores merge', () => {
  const mergeContexts = (kv: KVStore, keys: number[], shapes: number[][]): Context[] => {
    const seen: Context[] = [];
    kv.setUpdater((_key, merged) => seen.push(merged.context));
    kv.init(
      keys,
      shapes.map((s) => zeros(s)),
    );
    kv.push(
      keys,
      shapes.map((s) => DEVICES.map((ctx) => zeros(s, { ctx }))),
    );
    return seen;
  };

  it('local merges every key on the context of its initial value', () => {
    const kv = create('local');
    expect(mergeContexts(kv, [0, 1, 2], [[4], [4], [4]])).toEqual([cpu(0), cpu(0), cpu(0)]);
    const other = create('local');
    other.init(0, zeros([2], { ctx: cpu(1) }));
    const seen: Context[] = [];
    other.setUpdater((_k, merged, stored) => seen.push(merged.context, stored.context));
    other.push(0, zeros([2]));
    expect(seen).toEqual([cpu(1), cpu(1)]);
  });

  it('device spreads keys over the pushing devices by merged size, and the updater runs there', () => {
    const kv = create('device');
    // 100 elements go to cpu(0), then 10 to the lighter cpu(1), then 30 to cpu(1) (10 < 100).
    expect(mergeContexts(kv, [0, 1, 2], [[100], [10], [30]])).toEqual([cpu(0), cpu(1), cpu(1)]);
    const seen: Context[] = [];
    kv.setUpdater((_k, merged, stored) => seen.push(merged.context, stored.context));
    kv.push(1, zeros([10]));
    expect(seen).toEqual([cpu(1), cpu(1)]);
  });
});

describe('create', () => {
  it('makes local and device stores, accepting MXNet spellings and keeping the name as type', () => {
    expect(create()).toBeInstanceOf(LocalStore);
    expect(create()).not.toBeInstanceOf(DeviceStore);
    expect(create('Local')).toBeInstanceOf(LocalStore);
    expect(create('Local').type).toBe('local');
    expect(create('device')).toBeInstanceOf(DeviceStore);
    expect(create('local_allreduce_cpu').type).toBe('local_allreduce_cpu');
    expect(create('local_allreduce_cpu')).not.toBeInstanceOf(DeviceStore);
    expect(create('local_update_cpu')).toBeInstanceOf(LocalStore);
    expect(create('local_allreduce_device')).toBeInstanceOf(DeviceStore);
    expect(knownKVStoreTypes()).toEqual(['device', 'dist', 'dist_async', 'dist_device_sync', 'dist_sync', 'local']);
  });

  it('dispose frees the stored values', () => {
    const kv = create('device');
    kv.init(0, zeros([3]));
    kv.dispose();
    kv.dispose();
    expect(() => kv.pull(0, zeros([3]))).toThrow(/pull: the device store was disposed/);
  });
});

describe('rowSparsePull (test_kvstore.py test_row_sparse_pull)', () => {
  it.each(TYPES)("'%s': pulls only the given rows, into row_sparse and dense outs", (type) => {
    const kv = create(type);
    const shape = [5, 3];
    const stored = f32(
      Array.from({ length: 15 }, (_, i) => i),
      shape,
    );
    kv.init('w', stored);
    const rsp = sparse.zeros('row_sparse', shape) as RowSparseNDArray;
    const dense = full(shape, -1);
    kv.rowSparsePull('w', [rsp, dense], { rowIds: array([3, 1, 3], { dtype: 'int64' }) });
    expect(rsp.indices.toArray()).toEqual([1, 3]);
    expect(rsp.data.toArray()).toEqual([3, 4, 5, 9, 10, 11]);
    expect(dense.toArray()).toEqual([-1, -1, -1, 3, 4, 5, -1, -1, -1, 9, 10, 11, -1, -1, -1]);
    // one rowIds array per out
    const a = full(shape, 0);
    const b = full(shape, 0);
    kv.rowSparsePull('w', [a, b], { rowIds: [array([0]), array([4])] });
    expect([...values(a).slice(0, 3)]).toEqual([0, 1, 2]);
    expect([...values(a).slice(12)]).toEqual([0, 0, 0]);
    expect([...values(b).slice(12)]).toEqual([12, 13, 14]);
    expect(() => kv.rowSparsePull('w', dense, { rowIds: array([5]) })).toThrow(IndexError);
    expect(() => kv.rowSparsePull('w', [a, b], { rowIds: [array([0]), array([1]), array([2])] })).toThrow(
      /3 rowIds arrays for 2 outs/,
    );
    expect(() => kv.rowSparsePull('nope', dense, { rowIds: array([0]) })).toThrow(StateError);
    expect(() => kv.rowSparsePull('w', dense, { rowIds: array([0]), rowIDs: array([0]) } as never)).toThrow(
      /rowSparsePull: unknown option 'rowIDs' \(did you mean 'rowIds'\?\)/,
    );
    kv.dispose();
  });
});
