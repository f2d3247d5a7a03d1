import { type NDArray, ValueError } from '@bkt/ndarray';
import { describe, expect, it, vi } from 'vitest';

import { expectError, nd, values } from '../../ndarray/test/helpers.js';
import {
  Adam,
  create,
  type FusedStep,
  getUpdater,
  knownOptimizers,
  Optimizer,
  type ParamKey,
  register,
  SGD,
} from '../src/index.js';

class HalfStep extends Optimizer {
  createState(): NDArray[] {
    return [];
  }
  protected fusedStep(index: ParamKey): FusedStep {
    this.updateCount(index);
    return { op: 'sgdUpdate', states: [], opts: { lr: this.getLr(index) / 2 } };
  }
}

describe('registry', () => {
  it('create finds the built-in optimizers by MXNet name, case-insensitively', () => {
    expect(knownOptimizers()).toEqual(
      expect.arrayContaining([
        'sgd',
        'nag',
        'adam',
        'adagrad',
        'rmsprop',
        'adadelta',
        'adamax',
        'nadam',
        'ftrl',
        'ftml',
        'signum',
        'lamb',
        'sgld',
      ]),
    );
    expect(create('SGD', { momentum: 0.9 })).toBeInstanceOf(SGD);
    expect(create('Adam', {}).name).toBe('adam');
  });

  it('an unknown optimizer name is a ValueError naming it and listing the known ones', () => {
    expectError(
      () => create('adamw', {}),
      ValueError,
      /create: unknown optimizer 'adamw'; known optimizers: adadelta, adagrad, adam, .*sgd/,
    );
  });

  it('register adds a custom optimizer that create and the updater use', () => {
    register(HalfStep);
    const opt = create('halfstep', { learningRate: 1 });
    expect(opt).toBeInstanceOf(HalfStep);
    const w = nd([1, 2], [2]);
    getUpdater(opt).update(0, nd([2, 2], [2]), w);
    expect(values(w)).toEqual(Float64Array.from([0, 1]));
  });

  it('registering a taken name replaces the class with a warning, as MXNet does', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    class Other extends HalfStep {}
    register(Other, 'halfstep');
    expect(create('halfstep')).toBeInstanceOf(Other);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/optimizer 'halfstep': Other replaces the registered HalfStep/));
    warn.mockRestore();
  });
});

describe('learning-rate and weight-decay multipliers', () => {
  it("MXNet's rule: with names, only *_weight and *_gamma keep weight decay", () => {
    const opt = new SGD({
      wd: 0.1,
      paramIdx2Name: { 0: 'conv0_weight', 1: 'conv0_bias', 2: 'bn0_gamma', 3: 'bn0_beta', 4: 'bn0_moving_mean' },
    });
    expect(Object.fromEntries(opt.wdMult)).toEqual({ conv0_bias: 0, bn0_beta: 0, bn0_moving_mean: 0 });
    // Unless set explicitly.
    opt.setWdMult({ conv0_bias: 0.5 });
    expect(opt.wdMult.get('conv0_bias')).toBe(0.5);
    // Without names nothing is exempt.
    expect(new SGD({ wd: 0.1 }).wdMult.size).toBe(0);
  });

  it('symbol attributes set multipliers; explicit ones (by name or index) override them', () => {
    const sym = {
      attrDict: () => ({ a_weight: { __lr_mult__: '0.5', __wd_mult__: '3' }, b_weight: { __lr_mult__: '2' } }),
      listArguments: () => ['data', 'a_weight', 'b_weight'],
    };
    const opt = new Adam({ sym, paramIdx2Name: new Map<ParamKey, string>([[0, 'a_weight']]) });
    expect(Object.fromEntries(opt.lrMult)).toEqual({ a_weight: 0.5, b_weight: 2 });
    expect(opt.wdMult.get('a_weight')).toBe(3);
    opt.setLrMult({ b_weight: 4, 7: 0.25 });
    expect(opt.lrMult.get('b_weight')).toBe(4);
    expect(opt.lrMult.get(7)).toBe(0.25);
    expect(opt.lrMult.get('a_weight')).toBe(0.5);
  });

  it('addParamNames names later parameters with the same rules, keeping multipliers already set', () => {
    const opt = new SGD({ wd: 0.1, paramIdx2Name: { 0: 'fc_weight', 1: 'fc_bias' } });
    opt.setLrMult({ fc_bias: 3 });
    const bucketSym = {
      attrDict: () => ({ extra_weight: { __lr_mult__: '0.25' }, fc_bias: { __lr_mult__: '9' } }),
      listArguments: () => ['data', 'fc_weight', 'fc_bias', 'extra_weight', 'extra_bias'],
    };
    opt.addParamNames(
      [
        [2, 'extra_weight'],
        [3, 'extra_bias'],
        [1, 'fc_bias'],
      ],
      bucketSym,
    );
    expect(opt.idx2name.get(3)).toBe('extra_bias');
    expect(opt.wdMult.get('extra_bias')).toBe(0);
    expect(opt.wdMult.has('extra_weight')).toBe(false);
    expect(opt.lrMult.get('extra_weight')).toBe(0.25);
    expect(opt.lrMult.get('fc_bias')).toBe(3);
  });
});
