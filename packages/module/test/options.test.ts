// The option objects of the constructors, load, fit, score, predict, bind, initParams, setParams and
// initOptimizer are checked at the call: unknown keys, NaN or fractional counts and non-boolean flags
// are ValueErrors naming the call and the key; bad optimizer options reach @bkt/optimizer's checks
// before any weight changes.
import * as nd from '@bkt/ndarray';
import { FullyConnected, SoftmaxOutput, Variable } from '@bkt/symbol';
import { describe, expect, it } from 'vitest';
import { BucketingModule, DataDesc, Module, NDArrayIter, SequentialModule } from '../src/index.js';

const quiet = (): void => {};
const net = () => SoftmaxOutput({ data: FullyConnected({ data: Variable('data'), name: 'fc', numHidden: 2 }), name: 'softmax' });
const data = () => new NDArrayIter(nd.ones([8, 3]), nd.zeros([8]), { batchSize: 4 });
const shapes = [new DataDesc('data', [4, 3])];
const labels = [new DataDesc('softmax_label', [4])];

function ready(): Module {
  const mod = new Module(net(), { logger: quiet });
  mod.bind(shapes, labels);
  mod.initParams();
  return mod;
}

describe('module option checks', () => {
  it('fit rejects a NaN or fractional numEpoch, an unknown key and a bad flag, before binding', () => {
    for (const [opts, message] of [
      [{ numEpoch: NaN }, /^fit: numEpoch must be an integer, got NaN/],
      [{ numEpoch: 2.5 }, /^fit: numEpoch must be an integer, got 2.5/],
      [{ numEpoch: 2, beginEpoch: -1 }, /^fit: beginEpoch must be at least 0, got -1/],
      [{ numEpoch: 2, numepoch: 3 }, /^fit: unknown option 'numepoch' \(did you mean 'numEpoch'\?\)/],
      [{ numEpoch: 2, learningRate: 0.1 }, /^fit: unknown option 'learningRate'; known options: .*optimizerParams/],
      [{ numEpoch: 2, forceInit: 'yes' }, /^fit: forceInit must be true or false, got 'yes'/],
    ] as const) {
      const mod = new Module(net(), { logger: quiet });
      expect(() => mod.fit(data(), opts as never)).toThrow(nd.ValueError);
      expect(() => mod.fit(data(), opts as never)).toThrow(message);
      expect(mod.binded).toBe(false);
    }
  });

  it('fit with a NaN, infinite or text learning rate, a NaN rescaleGrad or a misspelt key fails before any update', () => {
    for (const [optimizerParams, message] of [
      [{ learningRate: NaN }, /^sgd: learningRate must be a finite number, got NaN/],
      [{ learningRate: Infinity }, /^sgd: learningRate must be a finite number, got Infinity/],
      [{ learningRate: 'abc' }, /^sgd: learningRate must be a finite number, got 'abc'/],
      [{ learningRate: 0.1, rescaleGrad: NaN }, /^sgd: rescaleGrad must be a finite number, got NaN/],
      [{ learningrate: 0.1 }, /^sgd: unknown option 'learningrate' \(did you mean 'learningRate'\?\)/],
    ] as const) {
      const mod = new Module(net(), { logger: quiet });
      expect(() => mod.fit(data(), { numEpoch: 1, optimizerParams })).toThrow(message);
      const [args] = mod.getParams();
      for (const a of Object.values(args)) expect(a.toArray().every(Number.isFinite)).toBe(true);
      expect(mod.optimizerInitialized).toBe(false);
    }
    const mod = ready();
    expect(() => mod.initOptimizer({ optimizerParams: 0.1 as never })).toThrow(
      /^Module\.initOptimizer: optimizerParams must be an object of optimizer options, got 0\.1/,
    );
    expect(() => mod.initOptimizer({ optimiser: 'adam' } as never)).toThrow(/^Module\.initOptimizer: unknown option 'optimiser'/);
  });

  it('score, predict and iterPredict check numBatch, epoch and their flags', () => {
    const mod = ready();
    expect(() => mod.score(data(), 'acc', { numBatch: NaN })).toThrow(/^score: numBatch must be an integer, got NaN/);
    expect(() => mod.score(data(), 'acc', { epoch: 1.5 })).toThrow(/^score: epoch must be an integer/);
    expect(() => mod.score(data(), 'acc', { rest: true } as never)).toThrow(
      /^score: unknown option 'rest'; known options: numBatch/,
    );
    expect(() => mod.predict(data(), { numBatch: -1 })).toThrow(/^predict: numBatch must be at least 0, got -1/);
    expect(() => mod.predict(data(), { mergeBatches: 1 } as never)).toThrow(
      /^predict: mergeBatches must be true or false, got 1/,
    );
    expect(() => mod.iterPredict(data(), { numbatch: 1 } as never).next()).toThrow(
      /^iterPredict: unknown option 'numbatch' \(did you mean 'numBatch'\?\)/,
    );
    expect(mod.score(data(), 'acc', { numBatch: null, reset: true })).toHaveLength(1);
    expect((mod.predict(data(), { numBatch: 1 }) as nd.NDArray).shape).toEqual([4, 2]);
  });

  it('constructors, load, bind, initParams and setParams of every module kind reject unknown keys and non-boolean flags', () => {
    const mod = new Module(net(), { logger: quiet });
    expect(() => mod.bind(shapes, labels, { forTraining: 'no' } as never)).toThrow(
      /^Module\.bind: forTraining must be true or false, got 'no'/,
    );
    expect(() => mod.bind(shapes, labels, { for_training: false } as never)).toThrow(
      /^Module\.bind: unknown option 'for_training'/,
    );
    expect(mod.binded).toBe(false);
    mod.bind(shapes, labels);
    expect(() => mod.initParams({ allowMising: true } as never)).toThrow(/^Module\.initParams: unknown option 'allowMising'/);
    mod.initParams();
    const [args, aux] = mod.getParams();
    expect(() => mod.setParams(args, aux, { allowExtra: 'true' } as never)).toThrow(
      /^Module\.setParams: allowExtra must be true or false/,
    );

    const bucketing = new BucketingModule(() => [net(), ['data'], ['softmax_label']], { defaultBucketKey: 3, logger: quiet });
    expect(() => bucketing.bind(shapes, labels, { forceRebind: 1 } as never)).toThrow(
      /^BucketingModule\.bind: forceRebind must be true or false/,
    );
    bucketing.bind(shapes, labels);
    expect(() => bucketing.initParams({ initialiser: null } as never)).toThrow(
      /^BucketingModule\.initParams: unknown option 'initialiser'/,
    );
    bucketing.initParams();
    expect(() => bucketing.setParams(args, aux, { force: true } as never)).toThrow(
      /^BucketingModule\.setParams: unknown option 'force'/,
    );
    expect(() => bucketing.initOptimizer({ forceInit: 0 } as never)).toThrow(
      /^BucketingModule\.initOptimizer: forceInit must be true or false/,
    );

    expect(() => new Module(net(), { contexts: [nd.cpu(0)] } as never)).toThrow(
      /^Module: unknown option 'contexts'; known options: dataNames/,
    );
    expect(
      () =>
        new BucketingModule(() => [net(), ['data'], ['softmax_label']], { defaultBucketKey: 3, dataNames: ['data'] } as never),
    ).toThrow(/^BucketingModule: unknown option 'dataNames'/);
    expect(() => Module.load('/nonexistent/prefix', 1, { loadOptimizerState: true } as never)).toThrow(
      /^Module\.load: unknown option 'loadOptimizerState'/,
    );
    expect(() => BucketingModule.load('/nonexistent/prefix', 1, { symGen: net, loadOptimizerStates: 'yes' } as never)).toThrow(
      /^BucketingModule\.load: loadOptimizerStates must be true or false/,
    );
    expect(() => new SequentialModule({ logger: quiet, verbose: true } as never)).toThrow(
      /^SequentialModule: unknown option 'verbose'; known options: logger/,
    );
    const seq = new SequentialModule({ logger: quiet }).add(new Module(net(), { logger: quiet }));
    expect(() => seq.bind(shapes, labels, { shared: null } as never)).toThrow(/^SequentialModule\.bind: unknown option 'shared'/);
  });
});
