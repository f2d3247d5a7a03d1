import { cpu, type DType, DTypeError, FormatError, type NDArray, ShapeError, zeros } from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';

import { expectError, makeRng, nd, randomValues, values } from '../../ndarray/test/helpers.js';
import { create, getUpdater } from '../src/index.js';
import { CONFIGS, gradients, SHAPES } from './configs.js';

function stepAll(updater: ReturnType<typeof getUpdater>, weights: NDArray[], grads: Float64Array[][], dtype: DType): void {
  for (const step of grads) {
    SHAPES.forEach(([key, shape], i) => {
      const g = nd(step[i]!, shape, dtype);
      updater.update(key, g, weights[i]!);
      g.dispose();
    });
  }
}

describe('getStates / setStates', () => {
  for (const cfg of CONFIGS) {
    it(`${cfg.label}: save, load into a fresh updater and continue is bit-identical to an uninterrupted run`, () => {
      const dtype = cfg.dtype ?? 'float32';
      const rng = makeRng(1);
      const start = SHAPES.map(([, s]) =>
        randomValues(
          rng,
          s.reduce((a, d) => a * d, 1),
        ),
      );
      const before = gradients(2, 4);
      const after = gradients(3, 4);

      const a = getUpdater(cfg.make());
      const wa = SHAPES.map(([, s], i) => nd(start[i]!, s, dtype));
      stepAll(a, wa, before, dtype);
      const bytes = a.getStates();
      const checkpoint = wa.map((w) => w.copy());
      stepAll(a, wa, after, dtype);

      const b = getUpdater(cfg.make());
      b.setStates(bytes);
      stepAll(b, checkpoint, after, dtype);
      wa.forEach((w, i) => expect(values(checkpoint[i]!)).toEqual(values(w)));
      expect(b.optimizer.numUpdate).toBe(a.optimizer.numUpdate);
      expect([...b.optimizer.indexUpdateCount]).toEqual([...a.optimizer.indexUpdateCount]);
      expect(b.getStates()).toEqual(a.getStates());
      a.dispose();
      b.dispose();
    });
  }

  it('writes the documented layout', () => {
    const updater = getUpdater(create('sgd', { momentum: 0.9, learningRate: 0.5 }));
    updater.update(7, nd([1, 1], [2]), nd([0, 0], [2]));
    const bytes = updater.getStates();
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let at = 0;
    const str = (): string => {
      const n = view.getUint32(at, true);
      at += 4 + n;
      return new TextDecoder().decode(bytes.subarray(at - n, at));
    };
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe('BKTOPTST');
    at = 8;
    expect(view.getUint32(at, true)).toBe(1);
    at += 4;
    expect(str()).toBe('sgd');
    expect(view.getUint32(at, true)).toBe(1); // one update count
    expect([view.getUint8(at + 4), view.getFloat64(at + 5, true), view.getFloat64(at + 13, true)]).toEqual([0, 7, 1]);
    at += 21;
    const nScalars = view.getUint32(at, true);
    at += 4;
    const scalars: Record<string, number> = {};
    for (let i = 0; i < nScalars; i++) {
      const name = str();
      scalars[name] = view.getFloat64(at, true);
      at += 8;
    }
    expect(scalars).toEqual({ lr: 0.5, numUpdate: 1 });
    expect(view.getUint32(at, true)).toBe(1); // one state entry
    expect([view.getUint8(at + 4), view.getFloat64(at + 5, true)]).toEqual([0, 7]);
    at += 13;
    expect([view.getUint8(at), view.getUint32(at + 1, true)]).toEqual([0, 1]); // no master, one array
    at += 5;
    expect([view.getUint8(at), view.getUint8(at + 1), Number(view.getBigInt64(at + 2, true))]).toEqual([0, 1, 2]);
    at += 10;
    // The momentum after one step: 0.9 * 0 - 0 - 1 = -1 in float32.
    expect(Array.from(new Float32Array(bytes.slice(at, at + 8).buffer))).toEqual([-1, -1]);
    expect(at + 8).toBe(bytes.length);
  });

  it('saves states whose arrays cross the writer buffer boundaries (several growths)', () => {
    const a = getUpdater(create('adam', {}));
    const shapes = [[100], [300], [7, 50], [1000]];
    shapes.forEach((s, i) =>
      a.update(i, nd(new Array(s.reduce((p, d) => p * d)).fill(0.5), s), nd(new Array(s.reduce((p, d) => p * d)).fill(1), s)),
    );
    const b = getUpdater(create('adam', {}));
    b.setStates(a.getStates());
    for (const [i] of shapes.entries()) {
      expect(b.states.get(i)!.arrays.map(values)).toEqual(a.states.get(i)!.arrays.map(values));
    }
  });

  it('restored states follow the weight to its context', () => {
    const a = getUpdater(create('adam', {}));
    const w = nd([1, 2, 3], [3]).copyTo(cpu(1));
    a.update(0, nd([1, 1, 1], [3]).copyTo(cpu(1)), w);
    const b = getUpdater(create('adam', {}));
    b.setStates(a.getStates());
    const w2 = w.copy();
    b.update(0, nd([1, 1, 1], [3]).copyTo(cpu(1)), w2);
    a.update(0, nd([1, 1, 1], [3]).copyTo(cpu(1)), w);
    expect(values(w2)).toEqual(values(w));
    expect(b.states.get(0)!.arrays[0]!.context).toBe(cpu(1));
  });

  it('refuses states of another optimizer and malformed bytes with a FormatError, leaving the updater as it was', () => {
    const sgd = getUpdater(create('sgd', { momentum: 0.9 }));
    sgd.update(0, nd([1, 1], [2]), nd([0, 0], [2]));
    const good = sgd.getStates();
    const adam = getUpdater(create('adam', {}));
    expectError(() => adam.setStates(good), FormatError, /saved by optimizer 'sgd', this updater runs 'adam'/);
    expectError(
      () => sgd.setStates(good.subarray(0, good.length - 3)),
      FormatError,
      /setStates: a state array at byte \d+ needs 8 bytes, 5 are left/,
    );
    expectError(() => sgd.setStates(new Uint8Array(40)), FormatError, /not a bkt optimizer state/);
    const extra = new Uint8Array(good.length + 1);
    extra.set(good);
    expectError(() => sgd.setStates(extra), FormatError, /1 unexpected bytes/);
    const badVersion = good.slice();
    badVersion[8] = 9;
    expectError(() => sgd.setStates(badVersion), FormatError, /unsupported state version 9/);
    expect(sgd.getStates()).toEqual(good);
  });
});

describe('update errors', () => {
  it('a gradient whose shape differs from the weight is a ShapeError naming the index and its name', () => {
    const updater = getUpdater(create('sgd', { paramIdx2Name: { 3: 'fc1_weight' } }));
    expectError(
      () => updater.update(3, nd([1, 2, 3, 4, 5, 6], [3, 2]), nd([1, 2, 3, 4, 5, 6], [2, 3])),
      ShapeError,
      /sgd: the gradient of index 3 \('fc1_weight'\) has shape \(3, 2\) but the weight has \(2, 3\)/,
    );
    expectError(
      () => updater.update('emb', nd([1], [1]), nd([1, 2], [2])),
      ShapeError,
      /sgd: the gradient of index 'emb' has shape \(1,\)/,
    );
  });

  it('a weight that no longer matches its state is a ShapeError naming the index', () => {
    const updater = getUpdater(create('adam', {}));
    updater.update(0, nd([1, 2], [2]), nd([1, 2], [2]));
    expectError(
      () => updater.update(0, nd([1, 2, 3], [3]), nd([1, 2, 3], [3])),
      ShapeError,
      /adam: the weight of index 0 has shape \(3,\) but its optimizer state was created for \(2,\)/,
    );
  });

  it.each(['float16', 'bfloat16'] as const)('a %s state array is a DTypeError in getStates (states stay float32)', (low) => {
    const updater = getUpdater(create('sgd', { momentum: 0.9 }));
    updater.states.set(0, { master: null, arrays: [zeros([2], { dtype: low })] });
    expectError(() => updater.getStates(), DTypeError, new RegExp(`getStates: a ${low} state array .* cannot be saved`));
    updater.dispose();
  });

  it.each(['float16', 'bfloat16'] as const)('a %s weight without multiPrecision is a DTypeError naming the index', (low) => {
    const updater = getUpdater(create('sgd', { momentum: 0.9 }));
    expectError(
      () => updater.update(2, nd([1, 2], [2], low), nd([1, 2], [2], low)),
      DTypeError,
      new RegExp(`sgd: index 2 has a ${low} weight; create the optimizer with multiPrecision: true`),
    );
  });
});
