// Options are checked where they enter: a NaN, infinite or non-numeric rate, a wrong type, an unknown
// (e.g. misspelt) key are ValueErrors naming the optimizer or scheduler and the key — never weights
// that silently turn into NaN.
import { ValueError } from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';

import { expectError } from '../../ndarray/test/helpers.js';
import {
  CosineScheduler,
  create,
  createLRScheduler,
  FactorScheduler,
  knownOptimizers,
  MultiFactorScheduler,
  Optimizer,
  type OptimizerOptions,
  PolyScheduler,
  SGD,
} from '../src/index.js';

describe('optimizer options', () => {
  it.each(knownOptimizers())('%s rejects a NaN, infinite or text learning rate, a NaN rescaleGrad and an unknown key', (name) => {
    for (const bad of [NaN, Infinity, 'abc', -0.1]) {
      expectError(() => create(name, { learningRate: bad }), ValueError, new RegExp(`^${name}: learningRate must be`));
    }
    expectError(
      () => create(name, { rescaleGrad: NaN }),
      ValueError,
      new RegExp(`^${name}: rescaleGrad must be a finite number, got NaN`),
    );
    expectError(() => create(name, { wd: '0.1' }), ValueError, new RegExp(`^${name}: wd must be a finite number, got '0.1'`));
    expectError(
      () => create(name, { learningrate: 0.1 }),
      ValueError,
      new RegExp(`^${name}: unknown option 'learningrate' \\(did you mean 'learningRate'\\?\\); known options: .*learningRate`),
    );
    expectError(() => create(name, { clipGradient: Infinity }), ValueError, /clipGradient must be a finite number/);
    expectError(() => create(name, { beginNumUpdate: 1.5 }), ValueError, /beginNumUpdate must be an integer/);
    expectError(() => create(name, { multiPrecision: 1 }), ValueError, /multiPrecision must be true or false, got 1/);
    expectError(() => create(name, { lrScheduler: 0.1 }), ValueError, /lrScheduler must be a learning-rate scheduler/);
    expectError(
      () => create(name, 'fast' as never),
      ValueError,
      new RegExp(`^${name}: options must be a plain object, got 'fast'`),
    );
    // what is valid stays valid
    expect(
      create(name, {
        learningRate: 0.05,
        wd: 1e-4,
        rescaleGrad: 0.5,
        clipGradient: null,
        lrScheduler: null,
        multiPrecision: false,
      }),
    ).toBeInstanceOf(Optimizer);
  });

  it("checks each optimizer's own options", () => {
    expectError(() => create('sgd', { momentum: NaN }), ValueError, /^sgd: momentum must be a finite number, got NaN/);
    expectError(() => create('sgd', { momentum: -0.9 }), ValueError, /^sgd: momentum must be at least 0, got -0.9/);
    expectError(() => create('nag', { momentum: 'high' }), ValueError, /^nag: momentum must be a finite number, got 'high'/);
    expectError(() => create('adam', { beta1: 1.5 }), ValueError, /^adam: beta1 must be at most 1, got 1.5/);
    expectError(() => create('adam', { epsilon: Infinity }), ValueError, /^adam: epsilon must be a finite number/);
    expectError(() => create('rmsprop', { centered: 'yes' }), ValueError, /^rmsprop: centered must be true or false, got 'yes'/);
    expectError(() => create('lamb', { lowerBound: NaN }), ValueError, /^lamb: lowerBound must be a finite number/);
    expectError(() => create('ftrl', { learningRate: NaN }), ValueError, /^ftrl: learningRate must be a finite number/);
    expectError(() => create('ftrl', { lamda1: NaN }), ValueError, /^ftrl: lamda1 must be/);
    expectError(() => create('adam', { momentum: 0.9 }), ValueError, /^adam: unknown option 'momentum'; known options: .*beta1/);
    expectError(() => create('sgld', { beta1: 0.9 }), ValueError, /^sgld: unknown option 'beta1'/);
    expectError(() => create(5 as never), ValueError, /^create: the optimizer name must be a string, got 5/);
    expect(create('lamb', { lowerBound: null, upperBound: 10, biasCorrection: false })).toBeInstanceOf(Optimizer);
    expect(create('nag', { momentum: 0.9 })).toBeInstanceOf(Optimizer);
  });

  it('name and createOptions rebuild the same optimizer with create', () => {
    const opt = create('SGD', { learningRate: 0.2, momentum: 0.9, wd: 0.01 });
    expect(opt.createOptions).toEqual({ learningRate: 0.2, momentum: 0.9, wd: 0.01 });
    const again = create(opt.name, opt.createOptions) as SGD;
    expect([again.name, again.lr, again.momentum, again.wd]).toEqual(['sgd', 0.2, 0.9, 0.01]);
    expect(Object.isFrozen(opt.createOptions)).toBe(true);
  });

  it('setLearningRate and the multipliers take finite numbers only', () => {
    const sgd = new SGD();
    expectError(() => sgd.setLearningRate(NaN), ValueError, /^sgd\.setLearningRate: lr must be a finite number, got NaN/);
    expectError(
      () => sgd.setLrMult({ fc_weight: NaN }),
      ValueError,
      /^sgd\.setLrMult: the multiplier of 'fc_weight' must be a finite number/,
    );
    expectError(
      () => sgd.setWdMult(new Map([[0, Infinity]])),
      ValueError,
      /^sgd\.setWdMult: the multiplier of '0' must be a finite number/,
    );
    expect(sgd.learningRate).toBe(0.01);
  });

  it("a user's subclass that declares no optionSpec keeps its own keys; the base keys are still checked", () => {
    interface MyOptions extends OptimizerOptions {
      tilt?: number;
    }
    class Tilted extends SGD {
      readonly tilt: number;
      constructor(opts: MyOptions = {}) {
        super(opts);
        this.tilt = opts.tilt ?? 0;
      }
    }
    expect(new Tilted({ tilt: 2 }).tilt).toBe(2);
    expectError(() => new Tilted({ tilt: 2, learningRate: NaN }), ValueError, /learningRate must be a finite number/);
  });
});

describe('learning-rate scheduler options', () => {
  it('rejects unknown keys, missing required ones, NaN and infinite values', () => {
    expectError(
      () => new FactorScheduler({ step: 2, stepSize: 3 } as never),
      ValueError,
      /^FactorScheduler: unknown option 'stepSize'; known options: /,
    );
    expectError(() => new FactorScheduler({} as never), ValueError, /^FactorScheduler: step is required/);
    expectError(() => new FactorScheduler({ step: NaN }), ValueError, /^FactorScheduler: step must be a finite number, got NaN/);
    expectError(
      () => new FactorScheduler({ step: 2, baseLr: Infinity }),
      ValueError,
      /^FactorScheduler: baseLr must be a finite number, got Infinity/,
    );
    expectError(
      () => new FactorScheduler({ step: 2, stopFactorLr: NaN }),
      ValueError,
      /^FactorScheduler: stopFactorLr must be a finite number/,
    );
    expectError(
      () => new MultiFactorScheduler({ step: [2, Infinity] }),
      ValueError,
      /^MultiFactorScheduler: step\[1\] must be a finite number, got Infinity/,
    );
    expectError(
      () => new MultiFactorScheduler({ step: 5 as never }),
      ValueError,
      /^MultiFactorScheduler: step must be a list of numbers, got 5/,
    );
    expectError(() => new PolyScheduler({ maxUpdate: 10, pwr: NaN }), ValueError, /^PolyScheduler: pwr must be a finite number/);
    expectError(
      () => new CosineScheduler({ maxUpdate: 10, finalLr: -1 }),
      ValueError,
      /^CosineScheduler: finalLr must be at least 0, got -1/,
    );
    expectError(
      () => createLRScheduler('poly', { maxUpdate: 10, power: 2 } as never),
      ValueError,
      /^PolyScheduler: unknown option 'power'/,
    );
    expect(createLRScheduler('cosine', { maxUpdate: 10, finalLr: 0.001, warmupSteps: 2 }).lr(0)).toBe(0);
  });
});
