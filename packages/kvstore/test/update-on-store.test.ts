import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { add, cpu, type NDArray } from '@bkt/ndarray';
import { create as createOptimizer, CosineScheduler, FactorScheduler, getUpdater, type Optimizer } from '@bkt/optimizer';
import { afterAll, describe, expect, it } from 'vitest';

import { create, type KVKey, type KVStore } from '../src/index.js';
import { DEVICES, expectSameValues, f32, makeRng } from './store-helpers.js';
import { randomValues } from '../../ndarray/test/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'bkt-kvstore-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Schedulers make the learning rate depend on the update counts, so the order of updates and the
// restored counters both show up in the weights.
const OPTIMIZERS: Array<[string, () => Optimizer]> = [
  [
    'sgd momentum, wd, factor scheduler',
    () =>
      createOptimizer('sgd', {
        momentum: 0.9,
        wd: 1e-3,
        rescaleGrad: 0.5,
        lrScheduler: new FactorScheduler({ step: 2, factor: 0.5, baseLr: 0.1 }),
        learningRate: null,
      }),
  ],
  [
    'adam, clipping, cosine warmup',
    () =>
      createOptimizer('adam', {
        clipGradient: 0.3,
        lrScheduler: new CosineScheduler({ maxUpdate: 8, baseLr: 0.05, warmupSteps: 2 }),
        learningRate: null,
      }),
  ],
  ['rmsprop centered', () => createOptimizer('rmsprop', { centered: true, learningRate: 0.01 })],
  ['nadam', () => createOptimizer('nadam', { learningRate: 0.01 })],
];

const KEYSETS: Array<{ keys: KVKey[]; shapes: number[][] }> = [
  { keys: [0, 1, 2], shapes: [[6, 5], [5], [40]] },
  { keys: ['fc1_weight', 'fc1_bias'], shapes: [[3, 4], [3]] },
];

const sizeOf = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);

/** A training loop's data: initial weights and, per step, one gradient per device for each key. */
function makeRun(seed: number, shapes: number[][], steps: number): { weights: number[][]; grads: number[][][][] } {
  const rng = makeRng(seed);
  return {
    weights: shapes.map((s) => Array.from(randomValues(rng, sizeOf(s)))),
    grads: Array.from({ length: steps }, () => shapes.map((s) => DEVICES.map(() => Array.from(randomValues(rng, sizeOf(s)))))),
  };
}

/** Pushes one step's gradients from both devices and pulls the weights onto both devices. */
function storeStep(kv: KVStore, keys: KVKey[], shapes: number[][], grads: number[][][]): NDArray[][] {
  const outs = shapes.map((s) => DEVICES.map((ctx) => f32(new Array(sizeOf(s)).fill(0), s, ctx)));
  kv.pushPull(
    keys,
    grads.map((perDev, k) => perDev.map((g, d) => f32(g, shapes[k]!, DEVICES[d]))),
    outs,
  );
  return outs;
}

describe.each(['local', 'device'] as const)("updates on the '%s' store", (type) => {
  for (const { keys, shapes } of KEYSETS) {
    for (const [label, make] of OPTIMIZERS) {
      it(`equal the same optimizer in the worker, bit for bit: ${label}, keys ${keys.join(', ')}`, () => {
        const run = makeRun(7, shapes, 4);
        const kv = create(type);
        kv.setOptimizer(make());
        kv.init(
          keys,
          run.weights.map((w, k) => f32(w, shapes[k]!)),
        );

        const worker = getUpdater(make());
        const local = run.weights.map((w, k) => f32(w, shapes[k]!));
        for (const step of run.grads) {
          const pulled = storeStep(kv, keys, shapes, step);
          keys.forEach((key, k) => {
            const [g0, g1] = step[k]!.map((g, d) => f32(g, shapes[k]!, DEVICES[d]));
            const onCpu0 = g1!.copyTo(cpu(0));
            worker.update(key, add(g0!, onCpu0), local[k]!);
            for (const out of pulled[k]!) expectSameValues(out, local[k]!);
          });
        }
        expect(kv.optimizerUpdater?.optimizer.numUpdate).toBe(worker.optimizer.numUpdate);
      });
    }
  }

  it('saveOptimizerStates -> loadOptimizerStates -> continue is bit-identical to an uninterrupted run', () => {
    const { keys, shapes } = KEYSETS[0]!;
    for (const [label, make] of OPTIMIZERS) {
      const run = makeRun(11, shapes, 6);
      const path = join(dir, `${type}-${label.replace(/\W+/g, '_')}.states`);

      const straight = create(type);
      straight.setOptimizer(make());
      straight.init(
        keys,
        run.weights.map((w, k) => f32(w, shapes[k]!)),
      );
      let last: NDArray[][] = [];
      run.grads.forEach((step, i) => {
        last = storeStep(straight, keys, shapes, step);
        if (i === 2) straight.saveOptimizerStates(path);
      });

      // Resume from the step-3 weights (as pulled then) and the saved states, in a new store.
      const first = create(type);
      first.setOptimizer(make());
      first.init(
        keys,
        run.weights.map((w, k) => f32(w, shapes[k]!)),
      );
      let mid: NDArray[][] = [];
      for (const step of run.grads.slice(0, 3)) mid = storeStep(first, keys, shapes, step);
      const resumed = create(type);
      resumed.setOptimizer(make());
      resumed.init(
        keys,
        mid.map((perDev) => perDev[0]!),
      );
      resumed.loadOptimizerStates(path);
      let end: NDArray[][] = [];
      for (const step of run.grads.slice(3)) end = storeStep(resumed, keys, shapes, step);

      keys.forEach((_, k) => expectSameValues(end[k]![1]!, last[k]![1]!));
      expect(resumed.optimizerUpdater?.optimizer.numUpdate).toBe(straight.optimizerUpdater?.optimizer.numUpdate);
    }
  });

  it('writes the updater state bytes atomically (no temporary file left) and dumpOptimizer changes nothing', () => {
    const kv = create(type);
    kv.setOptimizer(createOptimizer('sgd', { momentum: 0.9 }));
    kv.init(0, f32([1, 2, 3], [3]));
    kv.push(0, [f32([1, 1, 1], [3]), f32([1, 1, 1], [3], cpu(1))]);
    const sub = mkdtempSync(join(dir, 'atomic-'));
    kv.saveOptimizerStates(join(sub, 'a.states'));
    kv.saveOptimizerStates(join(sub, 'b.states'), true);
    expect(readdirSync(sub).sort()).toEqual(['a.states', 'b.states']);
    const bytes = readFileSync(join(sub, 'a.states'));
    expect(Array.from(bytes)).toEqual(Array.from(kv.optimizerUpdater!.getStates()));
    expect(Array.from(readFileSync(join(sub, 'b.states')))).toEqual(Array.from(bytes));
  });

  it('setUpdater replaces an optimizer (and its states); setOptimizer replaces a function', () => {
    const kv = create(type);
    kv.setOptimizer(createOptimizer('sgd', { learningRate: 1 }));
    kv.init(0, f32([1, 1], [2]));
    kv.push(0, f32([1, 2], [2]));
    const out = f32([0, 0], [2]);
    kv.pull(0, out);
    expectSameValues(out, [0, -1]);
    const calls: KVKey[] = [];
    kv.setUpdater((key) => calls.push(key));
    expect(kv.optimizerUpdater).toBeNull();
    kv.push(0, f32([5, 5], [2]));
    kv.pull(0, out);
    expectSameValues(out, [0, -1]);
    expect(calls).toEqual([0]);
    kv.setOptimizer(createOptimizer('sgd', { learningRate: 0.5 }));
    expect(kv.optimizerUpdater).not.toBeNull();
    kv.push(0, f32([2, 2], [2]));
    kv.pull(0, out);
    expectSameValues(out, [-1, -2]);
  });
});
