import { ValueError } from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';

import { expectAllClose, expectError } from '../../ndarray/test/helpers.js';
import {
  Adam,
  CosineScheduler,
  createLRScheduler,
  FactorScheduler,
  type LRScheduler,
  MultiFactorScheduler,
  PolyScheduler,
  SGD,
} from '../src/index.js';
import { cosineSchedule, factorSchedule, multiFactorSchedule, polySchedule, type Schedule } from './reference.js';

const N = 40;

function trace(s: LRScheduler, from = 0): number[] {
  return Array.from({ length: N - from }, (_, i) => s.lr(from + i));
}

const expected = (f: Schedule, from = 0): number[] => Array.from({ length: N - from }, (_, i) => f(from + i));

describe('schedulers follow MXNet formulas, warmup included', () => {
  it('FactorScheduler', () => {
    expectAllClose(
      trace(new FactorScheduler({ step: 5, factor: 0.5, baseLr: 0.1 })),
      expected(factorSchedule({ base: 0.1, step: 5, factor: 0.5 })),
    );
    // The floor: the rate stops at stopFactorLr.
    expectAllClose(
      trace(new FactorScheduler({ step: 3, factor: 0.1, baseLr: 1, stopFactorLr: 1e-3 })),
      expected(factorSchedule({ base: 1, step: 3, factor: 0.1, stop: 1e-3 })),
    );
    expectAllClose(
      trace(new FactorScheduler({ step: 4, factor: 0.9, baseLr: 0.5, warmupSteps: 6, warmupBeginLr: 0.05 })),
      expected(factorSchedule({ base: 0.5, step: 4, factor: 0.9, warmupSteps: 6, warmupBegin: 0.05 })),
    );
    expectAllClose(
      trace(
        new FactorScheduler({ step: 4, factor: 0.9, baseLr: 0.5, warmupSteps: 6, warmupBeginLr: 0.05, warmupMode: 'constant' }),
      ),
      expected(factorSchedule({ base: 0.5, step: 4, factor: 0.9, warmupSteps: 6, warmupBegin: 0.05, mode: 'constant' })),
    );
  });

  it('FactorScheduler resumed at a later count catches up to the same rate', () => {
    const continuous = new FactorScheduler({ step: 3, factor: 0.7, baseLr: 0.3 });
    const values = trace(continuous);
    const resumed = new FactorScheduler({ step: 3, factor: 0.7, baseLr: 0.3 });
    expect(resumed.lr(N - 1)).toBe(values[N - 1]);
  });

  it('MultiFactorScheduler', () => {
    expectAllClose(
      trace(new MultiFactorScheduler({ step: [5, 12, 20], factor: 0.5, baseLr: 0.2 })),
      expected(multiFactorSchedule({ base: 0.2, steps: [5, 12, 20], factor: 0.5 })),
    );
    expectAllClose(
      trace(new MultiFactorScheduler({ step: [5, 12], factor: 0.1, baseLr: 0.2, warmupSteps: 4 })),
      expected(multiFactorSchedule({ base: 0.2, steps: [5, 12], factor: 0.1, warmupSteps: 4 })),
    );
  });

  it('PolyScheduler', () => {
    expectAllClose(
      trace(new PolyScheduler({ maxUpdate: 30, baseLr: 0.1, pwr: 2, finalLr: 0.001 })),
      expected(polySchedule({ base: 0.1, maxUpdate: 30, pwr: 2, final: 0.001 })),
    );
    expectAllClose(
      trace(new PolyScheduler({ maxUpdate: 25, baseLr: 0.1, pwr: 1, warmupSteps: 5, warmupBeginLr: 0.01 })),
      expected(polySchedule({ base: 0.1, maxUpdate: 25, pwr: 1, final: 0, warmupSteps: 5, warmupBegin: 0.01 })),
    );
  });

  it('CosineScheduler', () => {
    expectAllClose(
      trace(new CosineScheduler({ maxUpdate: 30, baseLr: 0.1, finalLr: 0.01 })),
      expected(cosineSchedule({ base: 0.1, maxUpdate: 30, final: 0.01 })),
    );
    expectAllClose(
      trace(new CosineScheduler({ maxUpdate: 20, baseLr: 0.1, warmupSteps: 8, warmupBeginLr: 0.02, warmupMode: 'constant' })),
      expected(cosineSchedule({ base: 0.1, maxUpdate: 20, final: 0, warmupSteps: 8, warmupBegin: 0.02, mode: 'constant' })),
    );
  });

  it('createLRScheduler picks a scheduler by name, case-insensitively, with or without the suffix', () => {
    expect(createLRScheduler('factor', { step: 2 })).toBeInstanceOf(FactorScheduler);
    expect(createLRScheduler('MultiFactorScheduler', { step: [2] })).toBeInstanceOf(MultiFactorScheduler);
    expect(createLRScheduler('Poly', { maxUpdate: 3 })).toBeInstanceOf(PolyScheduler);
    expect(createLRScheduler('cosine', { maxUpdate: 3 })).toBeInstanceOf(CosineScheduler);
  });
  it('its class name and createOptions rebuild the same schedule with createLRScheduler', () => {
    const made = [
      new FactorScheduler({ step: 4, factor: 0.5, baseLr: 0.2, warmupSteps: 2 }),
      new MultiFactorScheduler({ step: [3, 7], factor: 0.3 }),
      new PolyScheduler({ maxUpdate: 30, pwr: 3, baseLr: 0.4, finalLr: 0.01 }),
      new CosineScheduler({ maxUpdate: 25, baseLr: 0.1 }),
    ];
    for (const s of made) {
      expect(Object.isFrozen(s.createOptions)).toBe(true);
      const again = createLRScheduler(s.constructor.name, s.createOptions);
      expect(trace(again)).toEqual(trace(s));
    }
  });
});

describe('schedulers inside optimizers', () => {
  it('an optimizer learningRate overwrites the scheduler base rate; null keeps it (MXNet 1.6+)', () => {
    const s1 = new FactorScheduler({ step: 10, baseLr: 0.5 });
    new SGD({ learningRate: 0.2, lrScheduler: s1 });
    expect(s1.baseLr).toBe(0.2);
    const s2 = new FactorScheduler({ step: 10, baseLr: 0.5 });
    const sgd = new SGD({ lrScheduler: s2 });
    expect(s2.baseLr).toBe(0.5);
    expect(sgd.learningRate).toBe(0.5);
    // Adam's own default (0.001) is a given learning rate, as in MXNet; null defers to the scheduler.
    const s3 = new FactorScheduler({ step: 10, baseLr: 0.5 });
    new Adam({ lrScheduler: s3 });
    expect(s3.baseLr).toBe(0.001);
    const s4 = new FactorScheduler({ step: 10, baseLr: 0.5 });
    new Adam({ lrScheduler: s4, learningRate: null });
    expect(s4.baseLr).toBe(0.5);
  });

  it('setLearningRate is refused while a scheduler owns the rate', () => {
    const sgd = new SGD({ lrScheduler: new FactorScheduler({ step: 10 }) });
    expectError(() => sgd.setLearningRate(0.1), ValueError, /sgd: the learning rate is set by its lrScheduler/);
    const plain = new SGD();
    plain.setLearningRate(0.3);
    expect(plain.learningRate).toBe(0.3);
  });
});

describe('scheduler errors', () => {
  it('bad arguments are ValueErrors naming the scheduler', () => {
    expectError(() => new FactorScheduler({ step: 0 }), ValueError, /FactorScheduler: step must be at least 1, got 0/);
    expectError(
      () => new FactorScheduler({ step: 2, factor: 1.5 }),
      ValueError,
      /FactorScheduler: factor must be at most 1, got 1.5/,
    );
    expectError(() => new MultiFactorScheduler({ step: [3, 3] }), ValueError, /MultiFactorScheduler: step must be increasing/);
    expectError(() => new MultiFactorScheduler({ step: [] }), ValueError, /MultiFactorScheduler: step must be a non-empty list/);
    expectError(() => new PolyScheduler({ maxUpdate: 0 }), ValueError, /PolyScheduler: maxUpdate must be at least 1, got 0/);
    expectError(
      () => new CosineScheduler({ maxUpdate: 2.5 }),
      ValueError,
      /CosineScheduler: maxUpdate must be an integer, got 2.5/,
    );
    expectError(
      () => new CosineScheduler({ maxUpdate: 5, warmupBeginLr: 1 }),
      ValueError,
      /CosineScheduler: warmupBeginLr \(1\) must not exceed/,
    );
    expectError(
      () => new FactorScheduler({ step: 2, warmupSteps: -1 }),
      ValueError,
      /FactorScheduler: warmupSteps must be at least 0, got -1/,
    );
    expectError(
      () => new FactorScheduler({ step: 2, warmupMode: 'cubic' as 'linear' }),
      ValueError,
      /FactorScheduler: warmupMode must be one of 'linear', 'constant', got 'cubic'/,
    );
  });

  it('an unknown scheduler name is a ValueError naming it and listing the known ones', () => {
    expectError(
      () => createLRScheduler('step', { step: 2 }),
      ValueError,
      /createLRScheduler: unknown scheduler 'step'; known schedulers: factor, multifactor, poly, cosine/,
    );
  });
});
