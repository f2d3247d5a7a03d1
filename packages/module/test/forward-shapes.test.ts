// Issue 11 item 2: a batch whose shapes differ from the bound ones is reshaped where MXNet's
// Module.forward reshapes (the data shapes changed) and otherwise refused with a typed error naming
// the input and both shapes; never read with the wrong strides. Every reproducer of the issue, for
// Module, BucketingModule, SequentialModule and the executor group.
import * as nd from '@bkt/ndarray';
import { Embedding, FullyConnected, Reshape, SoftmaxOutput, type Symbol, Variable } from '@bkt/symbol';
import { describe, expect, it } from 'vitest';
import {
  BucketingModule,
  DataBatch,
  DataDesc,
  DataParallelExecutorGroup,
  Module,
  SequentialModule,
  type SymGen,
  Uniform,
} from '../src/index.js';

const quiet = (): void => {};

/** data (4, 5) → FullyConnected(3) → SoftmaxOutput, parameters initialized. */
function bound(context: nd.Context | nd.Context[] = nd.cpu(0)): Module {
  const sym = SoftmaxOutput({ data: FullyConnected({ data: Variable('data'), name: 'fc', numHidden: 3 }), name: 'softmax' });
  const mod = new Module(sym, { context, logger: quiet });
  mod.bind([['data', [4, 5]]], [['softmax_label', [4]]]);
  nd.seed(1);
  mod.initParams({ initializer: new Uniform(0.5) });
  return mod;
}

const batch = (data: number[], label: number[] | null): DataBatch =>
  new DataBatch([nd.random.uniform(-1, 1, data)], label ? [nd.zeros(label)] : []);

/** The module still computes the right thing after refusing a batch: same outputs as a fresh one. */
function expectStillWorks(mod: Module | SequentialModule): void {
  const x = nd.random.uniform(-1, 1, [4, 5]);
  mod.forward(new DataBatch([x], [nd.zeros([4])]), { isTrain: true });
  const out = mod.getOutputs()[0]!;
  expect(out.shape).toEqual([4, 3]);
  mod.backward();
  const fresh = bound();
  fresh.setParams(...mod.getParams());
  fresh.forward(new DataBatch([x], [nd.zeros([4])]), { isTrain: false });
  expect(out.toArray()).toEqual(fresh.getOutputs()[0]!.toArray());
}

describe('Module.forward: wrong shapes are typed errors, never read with the wrong strides', () => {
  for (const [what, ctx] of [
    ['one context', nd.cpu(0)],
    ['two contexts', [nd.cpu(0), nd.cpu(1)]],
  ] as const) {
    it(`${what}: data (4, 9) for a module bound with (4, 5) is a ShapeError naming the input, the parameter and both shapes`, () => {
      const mod = bound(ctx as nd.Context);
      expect(() => mod.forward(batch([4, 9], [4]))).toThrow(nd.ShapeError);
      expect(() => mod.forward(batch([4, 9], [4]))).toThrow(
        /data 'data' has shape \(4, 9\), the module is bound with \(4, 5\).*'fc_weight' from \(3, 5\) to \(3, 9\)/,
      );
      expect(mod.dataShapes[0]!.shape).toEqual([4, 5]);
      expectStillWorks(mod);
    });

    it(`${what}: rank-1 data (4,) is a ShapeError`, () => {
      const mod = bound(ctx as nd.Context);
      expect(() => mod.forward(batch([4], [4]))).toThrow(/data 'data' has shape \(4,\), the module is bound with \(4, 5\)/);
      expectStillWorks(mod);
    });

    it(`${what}: labels (7,) with data (4, 5) are a ShapeError naming the label and both shapes (MXNet reshapes on data only)`, () => {
      const mod = bound(ctx as nd.Context);
      expect(() => mod.forward(batch([4, 5], [7]))).toThrow(nd.ShapeError);
      expect(() => mod.forward(batch([4, 5], [7]))).toThrow(
        /label 'softmax_label' has shape \(7,\), but the module is bound with \(4,\)/,
      );
      expectStillWorks(mod);
    });
  }

  it('a new batch size still reshapes (MXNet), labels following the data', () => {
    const mod = bound();
    mod.forward(batch([6, 5], [6]), { isTrain: true });
    expect(mod.getOutputs()[0]!.shape).toEqual([6, 3]);
    mod.backward();
    expect(() => mod.forward(batch([6, 5], [4]))).toThrow(
      /label 'softmax_label' has shape \(4,\), but the module is bound with \(6,\)/,
    );
    mod.forward(batch([2, 5], null), { isTrain: false });
    expect(mod.getOutputs()[0]!.shape).toEqual([2, 3]);
  });

  it('a batch whose provideData lies about its arrays is refused at the copy', () => {
    const mod = bound();
    const lying = new DataBatch([nd.zeros([6, 5])], [nd.zeros([6])], {
      provideData: [['data', [8, 5]]],
      provideLabel: [['softmax_label', [8]]],
    });
    expect(() => mod.forward(lying)).toThrow(/data 'data' has shape \(6, 5\), but the module is bound with \(8, 5\)/);
  });

  it('malformed batches and shapes are ValueErrors, not TypeErrors', () => {
    const mod = bound();
    expect(() => mod.forward(new DataBatch([], []))).toThrow(nd.ValueError);
    expect(() => mod.forward(new DataBatch([], []))).toThrow(
      /the batch has 0 data arrays, the module has 1 data inputs \(data\)/,
    );
    expect(() => mod.forward(new DataBatch([nd.zeros([4, 5])], [nd.zeros([4]), nd.zeros([4])]))).toThrow(
      /2 label arrays, the module is bound with 1/,
    );
    expect(() => mod.forward(null as unknown as DataBatch)).toThrow(nd.ValueError);
    expect(() => mod.forward({ data: ['x'] } as unknown as DataBatch)).toThrow(/batch.data\[0\] is not an NDArray/);
    expect(() => new DataBatch(['x' as unknown as nd.NDArray])).toThrow(nd.ValueError);
    const fresh = new Module(Variable('data').mul(2), { labelNames: null, logger: quiet });
    expect(() => fresh.bind([['data', 'abc' as unknown as number[]]])).toThrow(nd.ValueError);
    expect(() => fresh.bind([['data', 'abc' as unknown as number[]]])).toThrow(/shape must be a list of non-negative integers/);
    expect(() => fresh.bind('data' as unknown as [])).toThrow(/bind: dataShapes must be a list/);
    expect(() => fresh.bind([42 as unknown as DataDesc])).toThrow(/expected a DataDesc or a \[name, shape\] pair/);
    expect(() => fresh.bind([['data', [2, -1]]])).toThrow(nd.ValueError);
    expect(fresh.binded).toBe(false);
    // A duck-typed batch without labels (MXNet's test_forward_types) still works.
    fresh.bind([['data', [1, 3]]]);
    fresh.initParams();
    fresh.forward({ data: [nd.ones([1, 3])] } as unknown as DataBatch);
    expect(fresh.getOutputs()[0]!.toArray()).toEqual([2, 2, 2]);
  });

  it('the executor group refuses arrays that do not match its bound inputs exactly', () => {
    const mod = bound();
    const group: DataParallelExecutorGroup = mod.execGroup;
    expect(() => group.forward([nd.zeros([4, 9])], [], false)).toThrow(
      /data 'data' has shape \(4, 9\), but the module is bound with \(4, 5\)/,
    );
    expect(() => group.forward([nd.zeros([20])], [], false)).toThrow(nd.ShapeError);
    expect(() => group.forward([], [], false)).toThrow(/0 data arrays given for 1 bound data inputs/);
    expect(() => group.forward([nd.zeros([4, 5])], [nd.zeros([2, 2])], false)).toThrow(
      /label 'softmax_label' has shape \(2, 2\)/,
    );
    expect(() => group.reshape([new DataDesc('data', [4, 7])], null)).toThrow(
      /would change parameter 'fc_weight' from \(3, 5\) to \(3, 7\)/,
    );
    expect(group.dataShapes[0]!.shape).toEqual([4, 5]);
  });
});

describe('BucketingModule and SequentialModule: the same reproducers', () => {
  const symGen: SymGen = (key) => {
    const embed = Embedding({ data: Variable('data'), name: 'embed', inputDim: 10, outputDim: 4 });
    const flat = Reshape({ data: embed, shape: [0, -1] }); // (N, T·4): the key fixes the weight's shape
    const pred = FullyConnected({ data: flat, name: `pred${key as number}`, numHidden: 3 });
    return [
      SoftmaxOutput({ data: pred, label: Variable('softmax_label'), name: 'softmax' }) as Symbol,
      ['data'],
      ['softmax_label'],
    ];
  };
  const bucketing = (): BucketingModule => {
    const mod = new BucketingModule(symGen, { defaultBucketKey: 5, logger: quiet });
    mod.bind([['data', [4, 5]]], [['softmax_label', [4]]]);
    mod.initParams({ initializer: new Uniform(0.5) });
    return mod;
  };
  const keyed = (key: number, data: number[], label: number[]): DataBatch =>
    new DataBatch([nd.zeros(data)], [nd.zeros(label)], {
      bucketKey: key,
      provideData: [['data', data]],
      provideLabel: [['softmax_label', label]],
    });

  it('BucketingModule: data too long for its bucket, labels of another size, an empty batch, bad bind shapes', () => {
    const mod = bucketing();
    expect(() => mod.forward(keyed(5, [4, 9], [4]))).toThrow(
      /data 'data' has shape \(4, 9\), the module is bound with \(4, 5\).*'pred5_weight' from \(3, 20\) to \(3, 36\)/,
    );
    expect(() => mod.forward(new DataBatch([nd.zeros([4, 5])], [nd.zeros([7])], { bucketKey: 5 }))).toThrow(
      /label 'softmax_label' has shape \(7,\), but the module is bound with \(4,\)/,
    );
    expect(() => mod.forward(new DataBatch([nd.zeros([4])], [nd.zeros([4])], { bucketKey: 5 }))).toThrow(nd.ShapeError);
    expect(() => mod.forward(new DataBatch([], []))).toThrow(nd.ValueError);
    expect(() => mod.forward({ data: 7 } as unknown as DataBatch)).toThrow(/forward: batch.data must be a list of arrays/);
    expect(() => mod.prepare(null as unknown as DataBatch)).toThrow(/prepare: expected a DataBatch/);
    expect(() =>
      new BucketingModule(symGen, { defaultBucketKey: 5, logger: quiet }).bind([['data', 'abc' as unknown as number[]]]),
    ).toThrow(nd.ValueError);
    // A right batch for another bucket, then for the default one, still runs.
    mod.forward(keyed(3, [4, 3], [4]), { isTrain: false });
    expect(mod.getOutputs()[0]!.shape).toEqual([4, 3]);
    mod.forward(keyed(5, [4, 5], [4]), { isTrain: false });
    expect(mod.getOutputs()[0]!.shape).toEqual([4, 3]);
  });

  it('SequentialModule: wrong data, labels and empty batches are refused by its first or last module', () => {
    const first = new Module(FullyConnected({ data: Variable('data'), name: 'fc', numHidden: 3 }), {
      labelNames: null,
      logger: quiet,
    });
    const second = new Module(SoftmaxOutput({ data: Variable('data'), name: 'softmax' }), { logger: quiet });
    const seq = new SequentialModule({ logger: quiet }).add(first).add(second, { takeLabels: true, autoWiring: true });
    seq.bind([['data', [4, 5]]], [['softmax_label', [4]]]);
    nd.seed(1);
    seq.initParams({ initializer: new Uniform(0.5) });
    expect(() => seq.forward(batch([4, 9], [4]))).toThrow(/data 'data' has shape \(4, 9\), the module is bound with \(4, 5\)/);
    expect(() => seq.forward(batch([4], [4]))).toThrow(nd.ShapeError);
    expect(() => seq.forward(batch([4, 5], [7]))).toThrow(
      /label 'softmax_label' has shape \(7,\), but the module is bound with \(4,\)/,
    );
    expect(() => seq.forward(new DataBatch([], []))).toThrow(nd.ValueError);
    expect(() =>
      new SequentialModule({ logger: quiet })
        .add(new Module(Variable('data').mul(2), { labelNames: null, logger: quiet }))
        .bind([['data', 'abc' as unknown as number[]]]),
    ).toThrow(nd.ValueError);
    expectStillWorks(seq);
  });
});
