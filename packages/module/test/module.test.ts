import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as nd from '@bkt/ndarray';
import { LocalStore } from '@bkt/kvstore';
import { Activation, FullyConnected, SoftmaxOutput, Variable, withAttrScope } from '@bkt/symbol';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Accuracy,
  type BatchEndParam,
  DataBatch,
  Module,
  moduleCheckpoint,
  NDArrayIter,
  splitInputSlice,
  Uniform,
} from '../src/index.js';
import { dataset, mlp } from './blobs.js';

const quiet = (): void => {};

const tmp = mkdtempSync(join(tmpdir(), 'bkt-module-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function trained(context: nd.Context | nd.Context[], numEpoch = 5, workLoadList?: number[], samples = 200): Module {
  const { x, y } = dataset(samples);
  const it = new NDArrayIter(x, y, { batchSize: 20 });
  const mod = new Module(mlp(), { context, workLoadList, logger: quiet });
  nd.seed(11);
  mod.fit(it, {
    numEpoch,
    optimizer: 'sgd',
    optimizerParams: { learningRate: 0.5, momentum: 0.9 },
    initializer: new Uniform(0.5),
  });
  return mod;
}

describe('Module state machine', () => {
  it('raises StateError naming the call when used out of order', () => {
    const mod = new Module(mlp(), { logger: quiet });
    const batch = new DataBatch([nd.zeros([4, 4])], [nd.zeros([4])]);
    expect(() => mod.forward(batch)).toThrow(nd.StateError);
    expect(() => mod.forward(batch)).toThrow(/forward.*bind/);
    expect(() => mod.initParams()).toThrow(/initParams/);
    expect(() => mod.getParams()).toThrow(nd.StateError);
    expect(() => mod.dataShapes).toThrow(/dataShapes/);
    mod.bind([['data', [4, 4]]], [['softmax_label', [4]]]);
    expect(() => mod.forward(batch)).toThrow(/initParams/);
    expect(() => mod.initOptimizer()).toThrow(nd.StateError);
    mod.initParams();
    expect(() => mod.update()).toThrow(/update.*initOptimizer/);
    expect(() => mod.getInputGrads()).toThrow(nd.StateError);
    mod.initOptimizer();
    mod.forwardBackward(batch);
    mod.update();
    expect(mod.outputShapes).toEqual([['softmax_output', [4, 2]]]);
  });

  it('rejects unknown data names and a bad work load list', () => {
    expect(() => new Module(mlp(), { dataNames: ['nope'], logger: quiet })).toThrow(nd.ValueError);
    expect(() => new Module(mlp(), { context: [nd.cpu(0), nd.cpu(1)], workLoadList: [1], logger: quiet })).toThrow(nd.ValueError);
  });

  it('splits batches like MXNet _split_input_slice', () => {
    expect(splitInputSlice(10, [1, 1])).toEqual([
      [0, 5],
      [5, 10],
    ]);
    expect(splitInputSlice(10, [1, 2])).toEqual([
      [0, 3],
      [3, 10],
    ]);
    expect(splitInputSlice(7, [1, 1, 1])).toEqual([
      [0, 2],
      [2, 4],
      [4, 7],
    ]);
    expect(() => splitInputSlice(1, [1, 1])).toThrow(/Too many slices/);
  });
});

describe('Module training', () => {
  it('fits a small MLP to high accuracy', () => {
    const mod = trained(nd.cpu(0));
    const { x, y } = dataset(200);
    const res = mod.score(new NDArrayIter(x, y, { batchSize: 20 }), 'acc');
    expect(res[0]![0]).toBe('accuracy');
    expect(res[0]![1]).toBeGreaterThan(0.93);
  });

  it('gives the same parameters on two contexts as on one', () => {
    const one = trained(nd.cpu(0), 3);
    const two = trained([nd.cpu(0), nd.cpu(1)], 3);
    const [a1] = one.getParams();
    const [a2] = two.getParams();
    for (const name of Object.keys(a1)) {
      const p = a1[name]!.toArray();
      const q = a2[name]!.toArray();
      expect(q.length).toBe(p.length);
      const maxDiff = Math.max(...p.map((v, i) => Math.abs(v - q[i]!)));
      expect(maxDiff).toBeLessThan(1e-4);
    }
  });

  it("updateMetric on two contexts reads the labels forward loaded from the executors (each device's slice, on its device)", () => {
    const mod = trained([nd.cpu(0), nd.cpu(1)], 1);
    const { x, y } = dataset(40);
    const batch = new DataBatch([x], [y]);
    mod.forward(batch, { isTrain: false });
    /** Records the context of every label array it is given. */
    class Recording extends Accuracy {
      contexts: string[] = [];
      override update(labels: nd.NDArray | readonly nd.NDArray[], preds: nd.NDArray | readonly nd.NDArray[]): void {
        for (const l of [labels].flat()) this.contexts.push(String(l.context));
        super.update(labels, preds);
      }
    }
    const viaExecutors = new Recording();
    mod.updateMetric(viaExecutors, batch.label);
    // labels that forward did not load (a copy) are sliced per device where they are, as before
    const viaSlices = new Recording();
    mod.updateMetric(viaSlices, [y.copy()]);
    expect(viaExecutors.contexts).toEqual([String(nd.cpu(0)), String(nd.cpu(1))]);
    expect(viaSlices.contexts).toEqual([String(nd.cpu(0)), String(nd.cpu(0))]);
    expect(viaExecutors.get()).toEqual(viaSlices.get());
    expect(viaExecutors.numInst).toBe(40);
  });

  it('predict merges batches and drops the pad', () => {
    const mod = trained(nd.cpu(0), 1);
    const { x } = dataset(50);
    const iter = new NDArrayIter(x, null, { batchSize: 20, lastBatchHandle: 'pad' });
    const out = mod.predict(iter) as nd.NDArray;
    expect(out.shape).toEqual([50, 2]);
    const perBatch = mod.predict(iter, { mergeBatches: false }) as nd.NDArray[][];
    expect(perBatch.map((b) => b[0]!.shape[0])).toEqual([20, 20, 10]);
    const list = mod.predict(iter, { alwaysOutputList: true }) as nd.NDArray[];
    expect(list).toHaveLength(1);
    expect(list[0]!.toArray()).toEqual(out.toArray());
  });

  it('saveCheckpoint → Module.load gives the same predictions', () => {
    const mod = trained(nd.cpu(0), 1);
    const { x } = dataset(40);
    const iter = new NDArrayIter(x, null, { batchSize: 20 });
    const before = (mod.predict(iter) as nd.NDArray).toArray();
    const prefix = join(tmp, 'mlp');
    mod.saveCheckpoint(prefix, 3, true);
    const loaded = Module.load(prefix, 3, { logger: quiet, loadOptimizerStates: true });
    loaded.bind(iter.provideData, null, { forTraining: false });
    const after = (loaded.predict(iter) as nd.NDArray).toArray();
    expect(after).toEqual(before);
  });

  it('setParams/getParams round trip, and saveParams/loadParams', () => {
    const mod = new Module(mlp(), { logger: quiet });
    mod.bind([['data', [5, 4]]], [['softmax_label', [5]]]);
    mod.initParams();
    nd.seed(3);
    const args = {
      fc1_weight: nd.random.uniform(-1, 1, [16, 4]),
      fc1_bias: nd.random.uniform(-1, 1, [16]),
      fc2_weight: nd.random.uniform(-1, 1, [2, 16]),
      fc2_bias: nd.random.uniform(-1, 1, [2]),
    };
    mod.setParams(args, {});
    const [got] = mod.getParams();
    for (const [k, v] of Object.entries(args)) expect(got[k]!.toArray()).toEqual(v.toArray());
    const file = join(tmp, 'p.params');
    mod.saveParams(file);
    const other = new Module(mlp(), { logger: quiet });
    other.bind([['data', [5, 4]]], [['softmax_label', [5]]]);
    other.loadParams(file);
    const [got2] = other.getParams();
    for (const [k, v] of Object.entries(args)) expect(got2[k]!.toArray()).toEqual(v.toArray());
    expect(() => mod.setParams({ fc1_weight: args.fc1_weight }, {})).toThrow(/fc1_bias/);
  });

  it("array lifetimes: merged outputs until the next forward, predict results are the caller's", () => {
    const two = trained([nd.cpu(0), nd.cpu(1)], 1);
    const x = nd.ones([20, 4]);
    two.forward(new DataBatch([x], [nd.zeros([20])]), { isTrain: false });
    const merged = two.getOutputs()[0]!;
    expect(two.getOutputs()[0]).toBe(merged); // made once per forward
    const values = merged.toArray();
    two.forward(new DataBatch([x], [nd.zeros([20])]), { isTrain: false });
    expect(merged.isDisposed).toBe(true);
    expect(two.getOutputs()[0]!.toArray()).toEqual(values);
    const perDevice = two.getOutputs(false)[0]!;
    two.forward(new DataBatch([x], [nd.zeros([20])]), { isTrain: false });
    expect(perDevice.every((a) => !a.isDisposed)).toBe(true); // the executors' own outputs
    const kept = two.predict(new NDArrayIter(x, null, { batchSize: 8 })) as nd.NDArray; // 3 batches, the last padded
    two.predict(new NDArrayIter(x, null, { batchSize: 8 }));
    expect(kept.shape).toEqual([20, 2]);
    expect(kept.toArray()).toEqual(values);
  });

  it('forward reshapes when the batch size changes', () => {
    const mod = trained(nd.cpu(0), 1);
    const out = mod.predict(nd.zeros([3, 4])) as nd.NDArray;
    expect(out.shape).toEqual([3, 2]);
    const m = new Accuracy();
    mod.updateMetric(m, [nd.zeros([3])]);
    expect(m.get()[1]).toBeGreaterThanOrEqual(0);
  });

  it('predicting batches of changing sizes frees the executors each reshape supersedes', () => {
    const mod = trained(nd.cpu(0), 1);
    const sizes = [3, 5, 2, 7, 3, 5];
    const predictOnce = (n: number): number[] => {
      const x = nd.ones([n, 4]);
      const out = mod.predict(x) as nd.NDArray; // a copy: the caller's to free
      const values = out.toArray();
      out.dispose();
      x.dispose();
      return values;
    };
    predictOnce(6);
    const first = predictOnce(3);
    const before = nd.memoryStats().liveHandles;
    for (const n of sizes) predictOnce(n);
    expect(nd.memoryStats().liveHandles).toBeLessThanOrEqual(before);
    expect(predictOnce(3)).toEqual(first);
  });

  it('two contexts without update-on-kvstore (summed gradients, local updater) match one context', () => {
    const prev = process.env['MXNET_UPDATE_ON_KVSTORE'];
    process.env['MXNET_UPDATE_ON_KVSTORE'] = '0';
    try {
      const one = trained(nd.cpu(0), 2);
      const two = trained([nd.cpu(0), nd.cpu(1)], 2);
      expect(two.updateOnKVStore).toBe(false);
      expect(two.kvstore).not.toBeNull();
      const [a1] = one.getParams();
      const [a2] = two.getParams();
      for (const name of Object.keys(a1)) {
        const p = a1[name]!.toArray();
        const q = a2[name]!.toArray();
        expect(Math.max(...p.map((v, i) => Math.abs(v - q[i]!)))).toBeLessThan(1e-4);
      }
    } finally {
      if (prev === undefined) delete process.env['MXNET_UPDATE_ON_KVSTORE'];
      else process.env['MXNET_UPDATE_ON_KVSTORE'] = prev;
    }
  });

  it('an asynchronous store without update-on-kvstore is a ValueError (its servers must run the optimizer)', () => {
    const prev = process.env['MXNET_UPDATE_ON_KVSTORE'];
    process.env['MXNET_UPDATE_ON_KVSTORE'] = '0';
    try {
      const mod = new Module(mlp(), { logger: quiet });
      mod.bind([['data', [20, 4]]], [['softmax_label', [20]]]);
      mod.initParams();
      // a store of the asynchronous type without MPI: only its type matters here
      const store = new LocalStore('dist_async');
      expect(() => mod.initOptimizer({ kvstore: store })).toThrow(nd.ValueError);
      expect(() => mod.initOptimizer({ kvstore: store })).toThrow(
        /initOptimizer: the dist_async store updates on its servers; unset MXNET_UPDATE_ON_KVSTORE=0/,
      );
      delete process.env['MXNET_UPDATE_ON_KVSTORE'];
      mod.initOptimizer({ kvstore: store });
      expect(mod.updateOnKVStore).toBe(true);
    } finally {
      if (prev === undefined) delete process.env['MXNET_UPDATE_ON_KVSTORE'];
      else process.env['MXNET_UPDATE_ON_KVSTORE'] = prev;
    }
  });

  it('fit calls its callbacks in MXNet order and validates on evalData', () => {
    const { x, y } = dataset(60);
    const train = new NDArrayIter(x, y, { batchSize: 20 });
    const val = new NDArrayIter(x, y, { batchSize: 30 });
    const events: string[] = [];
    const logs: string[] = [];
    const mod = new Module(mlp(), { logger: (m) => logs.push(m) });
    mod.fit(train, {
      evalData: val,
      numEpoch: 2,
      batchEndCallback: (p: BatchEndParam) => events.push(`batch ${p.epoch}.${p.nbatch}`),
      epochEndCallback: (epoch) => events.push(`epoch ${epoch}`),
      evalBatchEndCallback: (p: BatchEndParam) => events.push(`eval ${p.epoch}.${p.nbatch}`),
      evalEndCallback: (p: BatchEndParam) => events.push(`evalEnd ${p.epoch}.${p.nbatch}`),
    });
    expect(events).toEqual([
      'batch 0.0',
      'batch 0.1',
      'batch 0.2',
      'epoch 0',
      'eval 0.0',
      'eval 0.1',
      'evalEnd 0.2',
      'batch 1.0',
      'batch 1.1',
      'batch 1.2',
      'epoch 1',
      'eval 1.0',
      'eval 1.1',
      'evalEnd 1.2',
    ]);
    expect(logs.filter((l) => /^Epoch\[1\] (Train|Validation)-accuracy=/.test(l))).toHaveLength(2);
    expect(() => mod.fit(train, {})).toThrow(/numEpoch/);
  });

  it('resuming from a checkpoint with optimizer states continues training exactly', () => {
    const { x, y } = dataset(100);
    const opts = { optimizer: 'sgd', optimizerParams: { learningRate: 0.3, momentum: 0.9 }, initializer: new Uniform(0.5) };
    nd.seed(5);
    const straight = new Module(mlp(), { logger: quiet });
    straight.fit(new NDArrayIter(x, y, { batchSize: 20 }), { ...opts, numEpoch: 2 });

    const prefix = join(tmp, 'resume');
    nd.seed(5);
    const first = new Module(mlp(), { logger: quiet });
    first.fit(new NDArrayIter(x, y, { batchSize: 20 }), {
      ...opts,
      numEpoch: 1,
      epochEndCallback: moduleCheckpoint(first, prefix, 1, true),
    });
    const resumed = Module.load(prefix, 1, { loadOptimizerStates: true, logger: quiet });
    resumed.fit(new NDArrayIter(x, y, { batchSize: 20 }), { ...opts, beginEpoch: 1, numEpoch: 2 });

    const [a] = straight.getParams();
    const [b] = resumed.getParams();
    for (const k of Object.keys(a)) expect(b[k]!.toArray()).toEqual(a[k]!.toArray());
  });

  it('fixedParamNames are never updated; sharedModule shares parameters and the optimizer', () => {
    const { x, y } = dataset(40);
    const mod = new Module(mlp(), { fixedParamNames: ['fc1_weight'], logger: quiet });
    mod.bind([['data', [20, 4]]], [['softmax_label', [20]]]);
    mod.initParams({ initializer: new Uniform(0.5) });
    mod.initOptimizer({ optimizerParams: { learningRate: 0.5 } });
    const before = mod.getParams()[0];
    const w1 = before['fc1_weight']!.toArray();
    const w2 = before['fc2_weight']!.toArray();
    mod.forwardBackward(new DataBatch([x.slice(0, 20)], [y.slice(0, 20)]));
    mod.update();
    const after = mod.getParams()[0];
    expect(after['fc1_weight']!.toArray()).toEqual(w1);
    expect(after['fc2_weight']!.toArray()).not.toEqual(w2);
    const w2after = after['fc2_weight']!.toArray();

    const small = new Module(mlp(), { fixedParamNames: ['fc1_weight'], logger: quiet });
    small.bind([['data', [5, 4]]], [['softmax_label', [5]]], { sharedModule: mod });
    expect(small.paramsInitialized).toBe(true);
    expect(small.optimizerInitialized).toBe(true);
    expect(small.optimizer).toBe(mod.optimizer);
    small.forwardBackward(new DataBatch([x.slice(0, 5)], [y.slice(0, 5)]));
    small.update();
    // the CPU dicts are aliased and the device arrays shared: the big module sees the update
    expect(small.getParams()[0]).toBe(mod.getParams()[0]);
    expect(small.getParams()[0]['fc2_weight']!.toArray()).not.toEqual(w2after);
    expect(small.getParams()[0]['fc1_weight']!.toArray()).toEqual(w1);
  });

  it('bind rejects inputsNeedGrad without training and warns when already bound', () => {
    const logs: string[] = [];
    const mod = new Module(mlp(), { logger: (m) => logs.push(m) });
    expect(() => mod.bind([['data', [4, 4]]], null, { forTraining: false, inputsNeedGrad: true })).toThrow(nd.ValueError);
    expect(mod.binded).toBe(false);
    mod.bind([['data', [4, 4]]]);
    mod.bind([['data', [4, 4]]]);
    expect(logs.some((l) => /Already bound/.test(l))).toBe(true);
    expect(() => mod.bind([['x', [4, 4]]], null, { forceRebind: true })).toThrow(/dataNames/);
  });

  it('fit installs a monitor before initializing and ticks around every batch', () => {
    const { x, y } = dataset(40);
    const calls: string[] = [];
    const names = new Set<string>();
    const mon = {
      install: (exe: { setMonitorCallback(cb: (n: string) => void): void }) => {
        calls.push('install');
        exe.setMonitorCallback((n) => names.add(n));
      },
      tic: () => calls.push('tic'),
      tocPrint: () => calls.push('toc'),
    };
    const mod = new Module(mlp(), { logger: quiet });
    mod.fit(new NDArrayIter(x, y, { batchSize: 20 }), { numEpoch: 1, monitor: mon });
    expect(calls).toEqual(['install', 'tic', 'toc', 'tic', 'toc']);
    expect([...names].some((n) => n.includes('fc1'))).toBe(true);
  });

  it('an uneven workLoadList on three contexts still matches one context', () => {
    const one = trained(nd.cpu(0), 2);
    const three = trained([nd.cpu(0), nd.cpu(1), nd.cpu(2)], 2, [1, 3, 1]);
    const [a1] = one.getParams();
    const [a3] = three.getParams();
    for (const name of Object.keys(a1)) {
      const p = a1[name]!.toArray();
      const q = a3[name]!.toArray();
      expect(Math.max(...p.map((v, i) => Math.abs(v - q[i]!)))).toBeLessThan(1e-4);
    }
    expect(splitInputSlice(20, [1, 3, 1])).toEqual([
      [0, 4],
      [4, 16],
      [16, 20],
    ]);
  });

  it('compressionParams: the kvstore sums 2-bit quantized gradients (with residuals) across two contexts', () => {
    const rows = [
      [0.7, 0.2, -0.6, -0.3],
      [0.4, 0.4, -0.1, 0.9],
    ];
    const threshold = 0.5;
    const run = (compressionParams: { type: '2bit'; threshold: number } | null): number[][] => {
      const sym = FullyConnected({ data: Variable('data'), name: 'fc', numHidden: 1, noBias: true });
      const mod = new Module(sym, { labelNames: null, context: [nd.cpu(0), nd.cpu(1)], compressionParams, logger: quiet });
      mod.bind([['data', [2, 4]]]);
      mod.initParams({ initializer: null, argParams: { fc_weight: nd.zeros([1, 4]) } });
      mod.initOptimizer({ kvstore: 'device', optimizer: 'sgd', optimizerParams: { learningRate: 1 } });
      const steps: number[][] = [];
      for (let step = 0; step < 2; step++) {
        // Output gradient 1: each context's weight gradient is its own data row.
        mod.forward(new DataBatch([nd.array(rows)]), { isTrain: true });
        mod.backward([nd.ones([2, 1])]);
        mod.update();
        steps.push(mod.getParams()[0]['fc_weight']!.toArray());
      }
      return steps;
    };
    // By hand: each context adds its gradient to its residual, sends ±threshold where the residual
    // reaches it (taking it off the residual) and 0 elsewhere; SGD steps by lr · (1/batch) · the sum.
    const residuals = rows.map((r) => r.map(() => 0));
    const expected: number[][] = [];
    let w = [0, 0, 0, 0];
    for (let step = 0; step < 2; step++) {
      const sent = rows.map((row, k) =>
        row.map((g, j) => {
          const r = Math.fround(residuals[k]![j]! + g);
          const q = r >= threshold ? threshold : r <= -threshold ? -threshold : 0;
          residuals[k]![j] = r - q;
          return q;
        }),
      );
      w = w.map((v, j) => v - (sent[0]![j]! + sent[1]![j]!) / 2);
      expected.push(w);
    }
    expect(expected).toEqual([
      [-0.25, 0, 0.25, -0.25],
      [-0.75, -0.25, 0.5, -0.25],
    ]);
    const compressed = run({ type: '2bit', threshold });
    compressed.forEach((got, i) => got.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, 6)));
    const plain = run(null);
    plain[0]!.forEach((v, j) => expect(v).toBeCloseTo(-(rows[0]![j]! + rows[1]![j]!) / 2, 6));
    expect(plain[0]).not.toEqual(compressed[0]);
    // As MXNet: the 'local' store does not compress, and only '2bit' exists.
    const bound = (compressionParams: { type: '2bit'; threshold: number }): Module => {
      const mod = new Module(FullyConnected({ data: Variable('data'), name: 'fc', numHidden: 1 }), {
        labelNames: null,
        context: [nd.cpu(0), nd.cpu(1)],
        compressionParams,
        logger: quiet,
      });
      mod.bind([['data', [2, 4]]]);
      mod.initParams();
      return mod;
    };
    expect(() => bound({ type: '2bit', threshold }).initOptimizer({ kvstore: 'local' })).toThrow(
      /not supported by the 'local' store/,
    );
    expect(() => bound({ type: '1bit' as '2bit', threshold }).initOptimizer({ kvstore: 'device' })).toThrow(nd.ValueError);
  });

  it('fit with group2ctxs (fc1 on one context, fc2 on another) trains exactly as without', () => {
    const groupedMlp = () => {
      const hidden = withAttrScope({ ctx_group: 'dev1' }, () =>
        Activation({
          data: FullyConnected({ data: Variable('data'), name: 'fc1', numHidden: 16 }),
          name: 'relu1',
          actType: 'relu',
        }),
      );
      return withAttrScope({ ctx_group: 'dev2' }, () =>
        SoftmaxOutput({ data: FullyConnected({ data: hidden, name: 'fc2', numHidden: 2 }), name: 'softmax' }),
      );
    };
    for (const [context, group2ctxs] of [
      [nd.cpu(0), { dev1: nd.cpu(1), dev2: nd.cpu(2) }],
      [[nd.cpu(0), nd.cpu(1)], { dev1: [nd.cpu(2), nd.cpu(4)], dev2: [nd.cpu(3), nd.cpu(5)] }],
    ] as const) {
      const { x, y } = dataset(60);
      const mod = new Module(groupedMlp(), { context: context as nd.Context | nd.Context[], group2ctxs, logger: quiet });
      nd.seed(11);
      mod.fit(new NDArrayIter(x, y, { batchSize: 20 }), {
        numEpoch: 2,
        optimizer: 'sgd',
        optimizerParams: { learningRate: 0.5, momentum: 0.9 },
        initializer: new Uniform(0.5),
      });
      const plain = trained(context as nd.Context | nd.Context[], 2, undefined, 60);
      const [got] = mod.getParams();
      const [want] = plain.getParams();
      for (const name of Object.keys(want)) expect(got[name]!.toArray(), name).toEqual(want[name]!.toArray());
    }
  });
});
