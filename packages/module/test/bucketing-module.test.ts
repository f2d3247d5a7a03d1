// BucketingModule: MXNet's tests (test_module_switch_bucket, test_bucket_module_grad_req,
// test_bucketing_save_load), the improvements over MXNet, and its typed errors.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as nd from '@bkt/ndarray';
import { broadcast_mul, Embedding, FullyConnected, MakeLoss, Reshape, SoftmaxOutput, type Symbol, Variable } from '@bkt/symbol';
import { LSTMCell, SequentialRNNCell } from '@bkt/symbol/rnn';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BucketingModule,
  bucketsFile,
  bucketSymbolFile,
  DataBatch,
  DataDesc,
  type BucketKey,
  One,
  type SymGen,
  Uniform,
  Xavier,
} from '../src/index.js';

const quiet = (): void => {};
const tmp = mkdtempSync(join(tmpdir(), 'bkt-bucketing-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** lstm_bucketing.py's network: Embedding → stacked LSTMs → FullyConnected(vocab) → SoftmaxOutput. */
function lmSymGen(opts: {
  vocab: number;
  hidden: number;
  embed: number;
  layers: number;
  ignorePad?: boolean;
  named?: boolean;
}): SymGen {
  return (key) => {
    const seqLen = key as number;
    const stack = new SequentialRNNCell();
    for (let i = 0; i < opts.layers; i++) stack.add(new LSTMCell(opts.hidden, { prefix: `lstm_l${i}_` }));
    const embed = Embedding({
      data: Variable('data'),
      inputDim: opts.vocab,
      outputDim: opts.embed,
      ...(opts.named === false ? {} : { name: 'embed' }),
    });
    const { outputs } = stack.unroll(seqLen, embed, { mergeOutputs: true });
    const pred = FullyConnected({
      data: Reshape({ data: outputs as Symbol, shape: [-1, opts.hidden] }),
      name: 'pred',
      numHidden: opts.vocab,
    });
    const label = Reshape({ data: Variable('softmax_label'), shape: [-1] });
    const ignore = opts.ignorePad ? { useIgnore: true, ignoreLabel: 0 } : {};
    return [SoftmaxOutput({ data: pred, label, name: 'softmax', ...ignore }), ['data'], ['softmax_label']];
  };
}

const flat = (params: Readonly<Record<string, nd.NDArray>>): Record<string, number[]> =>
  Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.toArray()]));

describe('BucketingModule: MXNet test ports', () => {
  it('test_module_switch_bucket: auto names are stable across buckets; switching reuses the shared arena', () => {
    const symGen = lmSymGen({ vocab: 500, hidden: 32, embed: 16, layers: 2, named: false });
    const mod = new BucketingModule(symGen, { defaultBucketKey: 10, logger: quiet });
    expect(mod.dataNames).toEqual(['data']);
    mod.bind([new DataDesc('data', [8, 10])], [new DataDesc('softmax_label', [8, 10])]);
    expect(mod.symbol.listArguments()[1]).toBe('embedding0_weight');
    mod.initParams({ initializer: new Xavier({ factorType: 'in', magnitude: 2.34 }) });
    mod.switchBucket(5, [new DataDesc('data', [8, 5])], [new DataDesc('softmax_label', [8, 5])]);
    expect(mod.symbol.listArguments()[1]).toBe('embedding0_weight');
    const bytes = mod.bucketModule(10)!.arenaBytes;
    expect(mod.bucketModule(5)!.arenaBytes).toBe(bytes);
    mod.switchBucket(7, [new DataDesc('data', [8, 7])], [new DataDesc('softmax_label', [8, 7])]);
    expect(mod.bucketModule(10)!.arenaBytes).toBe(bytes);
    expect(mod.bucketKeys).toEqual([10, 5, 7]);
    mod.dispose();
  });

  it('test_bucket_module_grad_req: gradients are shared between buckets, so "add" accumulates across them', () => {
    const batchSize = 2;
    const symGen: SymGen = () => {
      const a = Variable('a', { shape: [1], init: new One() });
      return [MakeLoss({ data: broadcast_mul({ lhs: Variable('data'), rhs: a }) }), ['data'], null];
    };
    const batch = (key: number): DataBatch =>
      new DataBatch([nd.ones([batchSize])], null, {
        bucketKey: key,
        provideData: [new DataDesc('data', [batchSize], 'float32', 'N')],
      });
    for (const gradReq of ['write', 'add'] as const) {
      const mod = new BucketingModule(symGen, { defaultBucketKey: 10, logger: quiet });
      mod.bind([new DataDesc('data', [batchSize], 'float32', 'N')], null, { forTraining: true, gradReq });
      mod.initParams();
      mod.forwardBackward(batch(10));
      const grad = (key: number): number => mod.bucketModule(key)!.execGroup.execs[0]!.gradDict.a!.toArray()[0]!;
      expect(grad(10)).toBe(batchSize);
      mod.forwardBackward(batch(5));
      expect(grad(5)).toBe(gradReq === 'write' ? batchSize : 2 * batchSize);
      mod.dispose();
    }
  });
});

describe('BucketingModule: the buckets share memory, as MXNet binds them against the default bucket', () => {
  const lm = (): SymGen => lmSymGen({ vocab: 500, hidden: 32, embed: 16, layers: 2 });
  const shapes = (key: number): [DataDesc[], DataDesc[]] => [
    [new DataDesc('data', [8, key])],
    [new DataDesc('softmax_label', [8, key])],
  ];
  const tokens = (key: number, seedValue: number): DataBatch => {
    nd.seed(seedValue);
    const ids = (): nd.NDArray => nd.random.randint(1, 500, [8, key]).astype('float32');
    const [data, label] = shapes(key);
    return new DataBatch([ids()], [ids()], { bucketKey: key, provideData: data, provideLabel: label });
  };
  const bound = (defaultKey: number): BucketingModule => {
    const mod = new BucketingModule(lm(), { defaultBucketKey: defaultKey, logger: quiet });
    mod.bind(...shapes(defaultKey));
    nd.seed(2);
    mod.initParams({ initializer: new Xavier({ factorType: 'in', magnitude: 2.34 }) });
    return mod;
  };

  it("a bucket no larger than the default allocates nothing: outputs in the shared arena, inputs views of the default bucket's", () => {
    const mod = bound(10);
    const before = nd.memoryStats();
    for (const key of [5, 7, 10, 1]) mod.switchBucket(key, ...shapes(key));
    const after = nd.memoryStats();
    expect(after.liveBytes - before.liveBytes).toBe(0);
    expect(after.totalAllocations - before.totalAllocations).toBe(0);
    mod.dispose();
  });

  it('binding a larger bucket (prepare) between forward and backward keeps the outputs and what backward needs', () => {
    const straight = bound(5);
    straight.forwardBackward(tokens(5, 3));
    const interrupted = bound(5);
    interrupted.forward(tokens(5, 3), { isTrain: true });
    const [held] = interrupted.getOutputs();
    const before = held!.toArray();
    const arena = interrupted.bucketModule(5)!.arenaBytes;
    interrupted.prepare(tokens(12, 4));
    expect(interrupted.bucketModule(5)!.arenaBytes).toBeGreaterThan(arena);
    expect(interrupted.getOutputs()[0]).toBe(held);
    expect(held!.toArray()).toEqual(before);
    interrupted.backward();
    const grads = (mod: BucketingModule): Record<string, number[]> =>
      Object.fromEntries(Object.entries(mod.bucketModule(5)!.execGroup.execs[0]!.gradDict).map(([n, g]) => [n, g.toArray()]));
    expect(grads(interrupted)).toEqual(grads(straight));
    straight.dispose();
    interrupted.dispose();
  });
});

/** Buckets above 4 route the data through an extra layer the default bucket (4) lacks (MXNet #11384). */
const conditionalSymGen: SymGen = (key) => {
  let net = FullyConnected({ data: Variable('data'), name: 'common', numHidden: 6 });
  if ((key as number) > 4) net = FullyConnected({ data: net, name: 'long_only', numHidden: 6 });
  return [
    SoftmaxOutput({ data: FullyConnected({ data: net, name: 'out', numHidden: 3 }), name: 'softmax' }),
    ['data'],
    ['softmax_label'],
  ];
};

const widthBatch = (key: number, n = 4, seedValue = key): DataBatch => {
  nd.seed(seedValue);
  return new DataBatch([nd.random.normal(0, 1, [n, 3])], [nd.array(Array.from({ length: n }, (_, i) => i % 3))], {
    bucketKey: key,
    provideData: [new DataDesc('data', [n, 3])],
    provideLabel: [new DataDesc('softmax_label', [n])],
  });
};

function conditionalModule(opts: { maxBuckets?: number } = {}): BucketingModule {
  const mod = new BucketingModule(conditionalSymGen, { defaultBucketKey: 4, logger: quiet, ...opts });
  mod.bind([new DataDesc('data', [4, 3])], [new DataDesc('softmax_label', [4])]);
  nd.seed(1);
  mod.initParams({ initializer: new Uniform(0.3) });
  mod.initOptimizer({ optimizer: 'sgd', optimizerParams: { learningRate: 0.5, momentum: 0.9 } });
  return mod;
}

describe('BucketingModule: improvements over MXNet', () => {
  it('a parameter only some buckets use is initialized, trained, checkpointed and restored (MXNet #11384)', () => {
    const mod = conditionalModule();
    expect(Object.keys(mod.getParams()[0])).not.toContain('long_only_weight');
    mod.forwardBackward(widthBatch(6));
    const [args] = mod.getParams();
    const before = args.long_only_weight!.toArray();
    expect(before.some((v) => v !== 0)).toBe(true);
    mod.update();
    mod.forwardBackward(widthBatch(8));
    mod.update();
    mod.forwardBackward(widthBatch(4));
    mod.update();
    const after = mod.getParams()[0].long_only_weight!.toArray();
    expect(after).not.toEqual(before);
    // Both long buckets read the same (shared) array.
    expect(mod.bucketModule(6)!.execGroup.paramArrays).toBeDefined();
    const shared6 = mod.bucketModule(6)!.execGroup.execs[0]!.argDict.long_only_weight;
    expect(mod.bucketModule(8)!.execGroup.execs[0]!.argDict.long_only_weight).toBe(shared6);
    // The optimizer named it, and exempts its bias from weight decay as MXNet's rule says.
    expect([...mod.optimizer!.idx2name.values()]).toContain('long_only_bias');
    expect(mod.optimizer!.wdMult.get('long_only_bias')).toBe(0);

    const prefix = join(tmp, 'conditional');
    mod.saveCheckpoint(prefix, 3, true);
    const loaded = BucketingModule.load(prefix, 3, { symGen: conditionalSymGen, loadOptimizerStates: true, logger: quiet });
    loaded.bind([new DataDesc('data', [4, 3])], [new DataDesc('softmax_label', [4])]);
    loaded.initOptimizer({ optimizer: 'sgd', optimizerParams: { learningRate: 0.5, momentum: 0.9 } });
    expect(flat(loaded.getParams()[0])).toEqual(flat(mod.getParams()[0]));
    // Continuing both gives identical parameters: momentum of the bucket-only weight came back too.
    for (const m of [mod, loaded]) {
      m.forwardBackward(widthBatch(6, 4, 99));
      m.update();
    }
    expect(flat(loaded.getParams()[0])).toEqual(flat(mod.getParams()[0]));
    mod.dispose();
    loaded.dispose();
  });

  it('maxBuckets evicts the least recently used bucket and keeps its parameters', () => {
    const mod = conditionalModule({ maxBuckets: 2 });
    for (const w of [6, 8, 5]) {
      mod.forwardBackward(widthBatch(w));
      mod.update();
    }
    expect(mod.bucketKeys.sort()).toEqual([4, 5]);
    expect(mod.bucketModule(6)).toBeUndefined();
    const params = flat(mod.getParams()[0]);
    mod.forward(widthBatch(6), { isTrain: false });
    const rebound = mod.getOutputs()[0]!.toArray();
    expect(flat(mod.getParams()[0])).toEqual(params);
    // A module that never evicted gives the same outputs from the same parameters.
    const reference = conditionalModule();
    reference.setParams(mod.getParams()[0], mod.getParams()[1], { allowExtra: true });
    reference.forward(widthBatch(6), { isTrain: false });
    expect(reference.getOutputs()[0]!.toArray()).toEqual(rebound);
    expect(mod.bucketKeys).toHaveLength(2);
    mod.dispose();
    reference.dispose();
  });

  it('keys may be strings or tuples; every bucket symbol is checkpointed under its key', () => {
    const symGen: SymGen = (key) => {
      const [lang, width] = Array.isArray(key) ? (key as [string, number]) : [key as string, 3];
      const net = FullyConnected({
        data: Reshape({ data: Variable('data'), shape: [0, width] }),
        name: `fc_${lang}_${width}`,
        numHidden: 2,
      });
      return [SoftmaxOutput({ data: net, name: 'softmax' }), ['data'], ['softmax_label']];
    };
    const batch = (key: BucketKey, width: number): DataBatch =>
      new DataBatch([nd.ones([2, width])], [nd.zeros([2])], {
        bucketKey: key,
        provideData: [new DataDesc('data', [2, width])],
        provideLabel: [new DataDesc('softmax_label', [2])],
      });
    const mod = new BucketingModule(symGen, { defaultBucketKey: 'en', logger: quiet });
    mod.bind([new DataDesc('data', [2, 3])], [new DataDesc('softmax_label', [2])]);
    mod.initParams();
    mod.initOptimizer();
    mod.forwardBackward(batch(['en', 5], 5));
    mod.update();
    mod.forwardBackward(batch(['de', 5], 5));
    expect(mod.currentBucketKey).toEqual(['de', 5]);
    mod.forwardBackward(batch(['de', 5], 5));
    expect(mod.bucketKeys).toHaveLength(3);
    const prefix = join(tmp, 'keys');
    mod.saveCheckpoint(prefix, 0);
    for (const key of ['en', ['en', 5], ['de', 5]] as BucketKey[]) expect(existsSync(bucketSymbolFile(prefix, key))).toBe(true);
    expect(existsSync(bucketsFile(prefix))).toBe(false);
    const loaded = BucketingModule.load(prefix, 0, { symGen, logger: quiet });
    expect(loaded.defaultBucketKey).toBe('en');
    loaded.bind([new DataDesc('data', [2, 3])], [new DataDesc('softmax_label', [2])], { forTraining: false });
    loaded.forward(batch(['de', 5], 5));
    mod.forward(batch(['de', 5], 5), { isTrain: false });
    expect(loaded.getOutputs()[0]!.toArray()).toEqual(mod.getOutputs()[0]!.toArray());
    mod.dispose();
    loaded.dispose();
  });
});

describe('BucketingModule: errors', () => {
  it('raises typed errors for bad keys, names, order of calls and checkpoints', () => {
    expect(() => new BucketingModule(conditionalSymGen, {} as never)).toThrow(nd.ValueError);
    expect(() => new BucketingModule(conditionalSymGen, { defaultBucketKey: 4, maxBuckets: 0 })).toThrow(/maxBuckets/);
    const picky: SymGen = (key) => {
      if ((key as number) > 8) throw new Error('too long');
      return conditionalSymGen(key);
    };
    const mod = new BucketingModule(picky, { defaultBucketKey: 4, logger: quiet });
    expect(() => mod.predict(nd.ones([4, 4]))).toThrow(nd.StateError);
    expect(() => mod.forward(widthBatch(4))).toThrow(/predict|forward/);
    expect(() => mod.bind([new DataDesc('tokens', [4, 4])], [new DataDesc('softmax_label', [4])])).toThrow(nd.ValueError);
    expect(mod.binded).toBe(false);
    mod.bind([new DataDesc('data', [4, 3])], [new DataDesc('softmax_label', [4])]);
    mod.initParams();
    expect(() => mod.forward(widthBatch(9))).toThrow(/symGen rejected bucket key 9: too long/);
    expect(() => mod.forward(widthBatch(9))).toThrow(nd.ValueError);
    const badKey = new DataBatch([nd.ones([4, 4])], null, { bucketKey: { n: 4 } as never });
    expect(() => mod.forward(badKey)).toThrow(/bucket key must be/);
    expect(() => mod.update()).toThrow(nd.StateError);

    const prefix = join(tmp, 'missing');
    mod.saveCheckpoint(prefix, 0);
    // A checkpoint whose parameter file lacks a parameter the symbol needs.
    const [args, aux] = mod.getParams();
    const { common_bias: _dropped, ...rest } = args;
    nd.save(
      `${prefix}-0000.params`,
      Object.fromEntries([
        ...Object.entries(rest).map(([k, v]) => [`arg:${k}`, v]),
        ...Object.entries(aux).map(([k, v]) => [`aux:${k}`, v]),
      ]),
    );
    // the manifest no longer matches the rewritten file; without it the file loads as MXNet's would
    expect(() => BucketingModule.load(prefix, 0, { symGen: picky, logger: quiet })).toThrow(nd.FormatError);
    rmSync(`${prefix}-0000.manifest.json`);
    const loaded = BucketingModule.load(prefix, 0, { symGen: picky, logger: quiet });
    expect(() => loaded.bind([new DataDesc('data', [4, 3])], [new DataDesc('softmax_label', [4])])).toThrow(/lack common_bias/);
    expect(() => BucketingModule.load(join(tmp, 'nothing'), 0, { symGen: picky })).toThrow(nd.BktError);
    mod.dispose();
  });
});
