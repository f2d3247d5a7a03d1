// The multi-tensor step: an Updater given lists updates every parameter in one native call, and ends
// bit for bit where the same updater called once per parameter ends (weights, states, update counts,
// scheduler position, optimizer-level numbers: the whole state file).
import { type DType, type NDArray, seed, ShapeError, ValueError } from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';

import { expectError, makeRng, nd, randomValues } from '../../ndarray/test/helpers.js';
import { countUpdateCalls } from '../../ndarray/test/native-calls.js';
import { create, FactorScheduler, getUpdater, type Optimizer, type ParamKey, type Updater } from '../src/index.js';
import { CONFIGS, gradients, SHAPES } from './configs.js';

const MORE: Array<{ label: string; make: () => Optimizer; dtype?: DType }> = [
  {
    label: 'sgd momentum, multipliers by name, rescale and clip',
    make: () => {
      const opt = create('sgd', {
        momentum: 0.9,
        wd: 0.01,
        rescaleGrad: 0.25,
        clipGradient: 0.1,
        paramIdx2Name: { 0: 'fc_weight', 1: 'fc_bias', emb: 'emb_weight' },
        lrScheduler: new FactorScheduler({ step: 1, factor: 0.9, baseLr: 0.1 }),
        learningRate: null,
      });
      opt.setLrMult({ fc_bias: 2, emb: 0.5 });
      opt.setWdMult({ emb_weight: 3 });
      return opt;
    },
  },
  { label: 'sgd momentum multiPrecision', make: () => create('sgd', { momentum: 0.9, multiPrecision: true }), dtype: 'float16' },
  {
    label: 'sgd momentum multiPrecision bfloat16',
    make: () => create('sgd', { momentum: 0.9, multiPrecision: true }),
    dtype: 'bfloat16',
  },
  { label: 'lamb multiPrecision', make: () => create('lamb', { multiPrecision: true, wd: 0.01 }), dtype: 'float16' },
  { label: 'rmsprop', make: () => create('rmsprop', { clipWeights: 0.5 }) },
  { label: 'signsgd', make: () => create('signum', { momentum: 0 }) },
  { label: 'sgld', make: () => create('sgld', { learningRate: 0.01 }) },
];

function startWeights(dtype: DType): NDArray[] {
  const rng = makeRng(5);
  return SHAPES.map(([, s]) =>
    nd(
      randomValues(
        rng,
        s.reduce((a, d) => a * d, 1),
      ),
      s,
      dtype,
    ),
  );
}

function run(
  cfg: { make: () => Optimizer; dtype?: DType },
  many: boolean,
): { updater: Updater; weights: NDArray[]; calls: Record<string, number>[] } {
  const dtype = cfg.dtype ?? 'float32';
  const weights = startWeights(dtype);
  const updater = getUpdater(cfg.make());
  seed(3);
  const calls = gradients(4, 5).map((step) => {
    const grads = SHAPES.map(([, shape], i) => nd(step[i]!, shape, dtype));
    const keys = SHAPES.map(([key]) => key);
    const counted = countUpdateCalls(() => {
      if (many) updater.update(keys, grads, weights);
      else keys.forEach((key, i) => updater.update(key, grads[i]!, weights[i]!));
    });
    grads.forEach((g) => g.dispose());
    return counted;
  });
  return { updater, weights, calls };
}

describe('Updater.update with lists: one native call per step, the per-parameter results', () => {
  for (const cfg of [...CONFIGS, ...MORE]) {
    it(cfg.label, () => {
      const one = run(cfg, false);
      const all = run(cfg, true);
      expect(all.updater.getStates()).toEqual(one.updater.getStates());
      all.weights.forEach((w, i) => expect(w.toArray(), `weight ${i}`).toEqual(one.weights[i]!.toArray()));
      // The run did train: the weights moved.
      expect(all.weights[0]!.toArray()).not.toEqual(startWeights(cfg.dtype ?? 'float32')[0]!.toArray());
      for (const calls of all.calls) expect(calls).toEqual({ multiUpdate: 1 });
      for (const calls of one.calls) expect(Object.values(calls).reduce((a, b) => a + b, 0)).toBe(SHAPES.length);
    });
  }
});

describe('Updater.update with lists: errors', () => {
  const weights = (): NDArray[] => SHAPES.map(([, s]) => nd(new Float64Array(s.reduce((a, d) => a * d, 1)).fill(1), s));
  const keys: ParamKey[] = SHAPES.map(([key]) => key);

  it('a bad gradient is a ShapeError naming its parameter, and nothing is updated or counted', () => {
    const updater = getUpdater(create('sgd', { momentum: 0.9, paramIdx2Name: { 1: 'fc_bias' } }));
    const w = weights();
    const grads = w.map((a) => a.copy());
    grads[1] = nd([1, 2, 3], [3]);
    expectError(
      () => updater.update(keys, grads, w),
      ShapeError,
      /sgd: the gradient of index 1 \('fc_bias'\) has shape \(3,\) but the weight has \(4,\)/,
    );
    expect(w.every((a) => a.toArray().every((v) => v === 1))).toBe(true);
    expect(updater.optimizer.indexUpdateCount.size).toBe(0);
  });

  it('lists of different lengths and a repeated index are ValueErrors', () => {
    const updater = getUpdater(create('adam'));
    const w = weights();
    expectError(
      () => updater.update(keys, w.slice(1), w),
      ValueError,
      /adam\.update: 3 indices need as many weights, gradients and states, got 3, 2, 3/,
    );
    expectError(() => updater.update(keys, w, w.slice(1)), ValueError, /update: 3 indices need as many weights, got 2/);
    expectError(
      () => updater.update([0, 0], [w[0]!, w[0]!], [w[0]!, w[0]!]),
      ValueError,
      /adam\.update: index 0 is listed twice/,
    );
  });
});
