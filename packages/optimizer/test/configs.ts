// Parameters and optimizer configurations the updater tests share: every optimizer, several with a
// stateful scheduler, so runs that must agree have counts, scheduler positions and optimizer-level
// numbers (Nadam's momentum schedule) to get wrong as well as the arrays.
import type { DType } from '@bkt/ndarray';

import { makeRng, randomValues } from '../../ndarray/test/helpers.js';
import {
  CosineScheduler,
  create,
  FactorScheduler,
  MultiFactorScheduler,
  type Optimizer,
  type ParamKey,
  PolyScheduler,
} from '../src/index.js';

export const SHAPES: Array<[ParamKey, number[]]> = [
  [0, [3, 4]],
  [1, [4]],
  ['emb', [2, 5]],
];

export const CONFIGS: Array<{ label: string; make: () => Optimizer; dtype?: DType }> = [
  {
    label: 'sgd momentum + factor warmup',
    make: () =>
      create('sgd', {
        momentum: 0.9,
        wd: 0.01,
        lrScheduler: new FactorScheduler({ step: 2, factor: 0.5, baseLr: 0.1, warmupSteps: 2 }),
        learningRate: null,
      }),
  },
  { label: 'sgd plain', make: () => create('sgd', { learningRate: 0.1 }) },
  {
    label: 'nag + multifactor',
    make: () =>
      create('nag', {
        momentum: 0.9,
        lrScheduler: new MultiFactorScheduler({ step: [3, 5], factor: 0.3, baseLr: 0.1 }),
        learningRate: null,
      }),
  },
  {
    label: 'adam + cosine',
    make: () =>
      create('adam', {
        lrScheduler: new CosineScheduler({ maxUpdate: 6, baseLr: 0.01, warmupSteps: 1 }),
        learningRate: null,
        clipGradient: 0.5,
      }),
  },
  { label: 'adagrad', make: () => create('adagrad', { learningRate: 0.1, wd: 0.01 }) },
  { label: 'rmsprop centered', make: () => create('rmsprop', { centered: true, learningRate: 0.01 }) },
  { label: 'adadelta', make: () => create('adadelta', { wd: 0.01 }) },
  {
    label: 'adamax + poly past its end',
    make: () =>
      create('adamax', { lrScheduler: new PolyScheduler({ maxUpdate: 4, baseLr: 0.01, finalLr: 0.001 }), learningRate: null }),
  },
  { label: 'nadam', make: () => create('nadam', { learningRate: 0.01 }) },
  { label: 'ftrl', make: () => create('ftrl', {}) },
  { label: 'ftml', make: () => create('ftml', { learningRate: 0.05 }) },
  { label: 'signum', make: () => create('signum', { wdLh: 0.01 }) },
  { label: 'lamb', make: () => create('lamb', { wd: 0.01 }) },
  { label: 'adam multiPrecision', make: () => create('adam', { multiPrecision: true, learningRate: 0.01 }), dtype: 'float16' },
  {
    label: 'adam multiPrecision bfloat16',
    make: () => create('adam', { multiPrecision: true, learningRate: 0.01 }),
    dtype: 'bfloat16',
  },
  { label: 'sgd float64', make: () => create('sgd', { momentum: 0.5, learningRate: 0.1 }), dtype: 'float64' },
];

export function gradients(seed: number, steps: number): Float64Array[][] {
  const rng = makeRng(seed);
  return Array.from({ length: steps }, () =>
    SHAPES.map(([, s]) =>
      randomValues(
        rng,
        s.reduce((a, d) => a * d, 1),
      ),
    ),
  );
}
