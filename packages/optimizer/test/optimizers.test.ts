import { type DType, type NDArray, random, seed } from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';

import { expectAllClose, makeRng, nd, randomValues, values } from '../../ndarray/test/helpers.js';
import { create, FactorScheduler, getUpdater, type Optimizer, SGLD } from '../src/index.js';
import { factorSchedule, type Key, type RefConfig, RefOptimizer } from './reference.js';

const STEPS = 4;
// Two named parameters (a weight and a bias, so MXNet's default wd rule applies) and an unnamed string key.
const PARAMS: Array<{ key: Key; shape: number[] }> = [
  { key: 0, shape: [3, 4] },
  { key: 1, shape: [4] },
  { key: 'emb', shape: [2, 3] },
];
const NAMES = { 0: 'fc1_weight', 1: 'fc1_bias' };

interface Case {
  label: string;
  name: string;
  lr: number;
  hp: Record<string, number | boolean | null>;
}

const CASES: Case[] = [
  { label: 'sgd', name: 'sgd', lr: 0.1, hp: {} },
  { label: 'sgd momentum', name: 'sgd', lr: 0.1, hp: { momentum: 0.9 } },
  { label: 'nag', name: 'nag', lr: 0.1, hp: { momentum: 0.9 } },
  { label: 'adam', name: 'adam', lr: 0.01, hp: { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } },
  { label: 'adagrad', name: 'adagrad', lr: 0.1, hp: { eps: 1e-7 } },
  { label: 'rmsprop', name: 'rmsprop', lr: 0.01, hp: { gamma1: 0.9, epsilon: 1e-8 } },
  {
    label: 'rmsprop centered',
    name: 'rmsprop',
    lr: 0.01,
    hp: { centered: true, gamma1: 0.95, gamma2: 0.9, epsilon: 1e-8, clipWeights: 0.8 },
  },
  { label: 'adadelta', name: 'adadelta', lr: 1, hp: { rho: 0.9, epsilon: 1e-5 } },
  { label: 'adamax', name: 'adamax', lr: 0.02, hp: { beta1: 0.9, beta2: 0.999 } },
  { label: 'nadam', name: 'nadam', lr: 0.01, hp: { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, scheduleDecay: 0.004 } },
  { label: 'ftrl', name: 'ftrl', lr: 0.1, hp: { lamda1: 0.01, beta: 1 } },
  { label: 'ftml', name: 'ftml', lr: 0.05, hp: { beta1: 0.6, beta2: 0.999, epsilon: 1e-8 } },
  { label: 'signum', name: 'signum', lr: 0.01, hp: { momentum: 0.9, wdLh: 0.01 } },
  { label: 'signsgd', name: 'signum', lr: 0.01, hp: { momentum: 0 } },
  { label: 'lamb', name: 'lamb', lr: 0.01, hp: { beta1: 0.9, beta2: 0.999, epsilon: 1e-6, biasCorrection: true } },
  {
    label: 'lamb bounded',
    name: 'lamb',
    lr: 0.01,
    hp: { beta1: 0.9, beta2: 0.999, epsilon: 1e-6, biasCorrection: false, lowerBound: 2.5, upperBound: 3 },
  },
];

interface Setting {
  label: string;
  options(c: Case): Record<string, unknown>;
  ref(c: Case): RefConfig;
  after?(o: Optimizer): void;
}

const SETTINGS: Setting[] = [
  {
    label: 'plain',
    options: (c) => ({ learningRate: c.lr }),
    ref: (c) => ({ lr: c.lr }),
  },
  {
    label: 'wd, rescale, clip, names and setLrMult',
    options: (c) => ({ learningRate: c.lr, wd: 0.05, rescaleGrad: 0.5, clipGradient: 0.4, paramIdx2Name: NAMES }),
    // The bias gets wd 0 by MXNet's naming rule; fc1_weight's lr is halved by setLrMult.
    ref: (c) => ({
      lr: c.lr,
      wd: 0.05,
      rescale: 0.5,
      clip: 0.4,
      lrMult: (k) => (k === 0 ? 0.5 : 1),
      wdMult: (k) => (k === 1 ? 0 : 1),
    }),
    after: (o) => o.setLrMult({ fc1_weight: 0.5 }),
  },
  {
    label: 'factor scheduler with linear warmup, symbol multipliers',
    options: (c) => ({
      learningRate: null,
      lrScheduler: new FactorScheduler({ step: 2, factor: 0.5, baseLr: c.lr, warmupSteps: 2, warmupBeginLr: c.lr / 10 }),
      wd: 0.01,
      clipGradient: 1,
      paramIdx2Name: NAMES,
      sym: {
        attrDict: () => ({ fc1_weight: { __wd_mult__: '2' }, fc1_bias: { __lr_mult__: '3' } }),
        listArguments: () => ['data', 'fc1_weight', 'fc1_bias'],
      },
    }),
    ref: (c) => ({
      lr: c.lr,
      schedule: factorSchedule({ base: c.lr, step: 2, factor: 0.5, warmupSteps: 2, warmupBegin: c.lr / 10 }),
      wd: 0.01,
      clip: 1,
      lrMult: (k) => (k === 1 ? 3 : 1),
      wdMult: (k) => (k === 0 ? 2 : k === 1 ? 0 : 1),
    }),
  },
];

function makeOptimizer(c: Case, s: Setting): Optimizer {
  const o = create(c.name, { ...c.hp, ...s.options(c) });
  s.after?.(o);
  return o;
}

/** Runs the optimizer through an Updater and the reference side by side; returns both final weights. */
function run(c: Case, s: Setting, dtype: DType) {
  const rng = makeRng(c.label.length * 31 + s.label.length);
  const opt = makeOptimizer(c, s);
  const updater = getUpdater(opt);
  const ref = new RefOptimizer(c.name, { ...s.ref(c), hp: c.hp });
  const weights = PARAMS.map((p) =>
    randomValues(
      rng,
      p.shape.reduce((a, d) => a * d, 1),
    ),
  );
  const arrays = PARAMS.map((p, i) => nd(weights[i]!, p.shape, dtype));
  for (let step = 0; step < STEPS; step++) {
    PARAMS.forEach((p, i) => {
      const g = randomValues(rng, weights[i]!.length, -1.5, 1.5);
      const grad = nd(g, p.shape, dtype);
      updater.update(p.key, grad, arrays[i]!);
      grad.dispose();
      ref.update(p.key, weights[i]!, g);
    });
  }
  return { opt, updater, arrays, weights, ref };
}

describe('each optimizer matches a float64 restatement of MXNet over several steps', () => {
  for (const c of CASES) {
    for (const s of SETTINGS) {
      it(`${c.label}: ${s.label}`, () => {
        const { updater, arrays, weights } = run(c, s, 'float32');
        arrays.forEach((a, i) => expectAllClose(values(a), weights[i]!, { rtol: 1e-5, atol: 1e-6 }));
        arrays.forEach((a) => a.dispose());
        updater.dispose();
      });
    }
    it(`${c.label}: float64 weights`, () => {
      const { updater, arrays, weights } = run(c, SETTINGS[1]!, 'float64');
      arrays.forEach((a, i) => expectAllClose(values(a), weights[i]!, { rtol: 1e-10, atol: 1e-12 }));
      arrays.forEach((a) => a.dispose());
      updater.dispose();
    });
  }

  it('clipGradient 0 is ignored by the fused updates and clips to zero in the Python-written ones, as in MXNet', () => {
    for (const [name, moves] of [
      ['sgd', true],
      ['adagrad', false],
    ] as const) {
      const updater = getUpdater(create(name, { learningRate: 0.1, clipGradient: 0 }));
      const w = nd([1, 2], [2]);
      updater.update(0, nd([1, 1], [2]), w);
      expect(values(w)[0] !== 1).toBe(moves);
    }
  });
});

describe.each(['float16', 'bfloat16'] as const)('multiPrecision (%s)', (low) => {
  for (const c of CASES.filter((k) => ['sgd', 'sgd momentum', 'adam', 'lamb'].includes(k.label))) {
    it(`${c.label}: ${low} weights update a float32 master copy`, () => {
      const rng = makeRng(5);
      const shape = [4, 5];
      const opt = create(c.name, { ...c.hp, learningRate: c.lr, multiPrecision: true, wd: 0.01 });
      const updater = getUpdater(opt);
      const weight = nd(randomValues(rng, 20), shape, low);
      const ref = new RefOptimizer(c.name, { lr: c.lr, wd: 0.01, hp: c.hp });
      const w64 = values(weight);
      for (let step = 0; step < STEPS; step++) {
        const grad = nd(randomValues(rng, 20), shape, low);
        updater.update(0, grad, weight);
        ref.update(0, w64, values(grad));
      }
      const master = updater.states.get(0)!.master!;
      expect(master.dtype).toBe('float32');
      expectAllClose(values(master), w64, { rtol: 1e-5, atol: 1e-6 });
      const rounded = master.astype(low);
      expect(values(weight)).toEqual(values(rounded));
    });
  }
});

describe('SGLD', () => {
  it('adds N(0, sqrt(lr)) noise from the seeded generator, reproducibly', () => {
    const rng = makeRng(8);
    const lr = 0.01;
    const shape = [3, 4];
    const w0 = randomValues(rng, 12);
    const grads = Array.from({ length: STEPS }, () => randomValues(rng, 12));
    const runOnce = (): Float64Array => {
      seed(42);
      const updater = getUpdater(new SGLD({ learningRate: lr, wd: 0.1, rescaleGrad: 2, clipGradient: 0.5 }));
      const w = nd(w0, shape);
      grads.forEach((g) => updater.update(0, nd(g, shape), w));
      return values(w);
    };
    seed(42);
    const noise = grads.map(() => values(random.normal(0, Math.sqrt(lr), shape)));
    const expected = Float64Array.from(w0);
    grads.forEach((g, s) => {
      for (let i = 0; i < 12; i++) {
        const r = Math.min(0.5, Math.max(-0.5, 2 * g[i]!));
        expected[i] = expected[i]! + (-lr / 2) * (r + 0.1 * expected[i]!) + noise[s]![i]!;
      }
    });
    const first = runOnce();
    expectAllClose(first, expected, { rtol: 1e-5, atol: 1e-6 });
    expect(runOnce()).toEqual(first);
  });
});

export type { NDArray };
