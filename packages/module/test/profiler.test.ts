// The profiler as @bkt/module re-exports it (MXNet's top-level mx.profiler), over a BucketingModule
// whose buckets compile different plans: each bucket's executor records its own instructions.
import * as nd from '@bkt/ndarray';
import { FullyConnected, SoftmaxOutput, type Symbol, Variable } from '@bkt/symbol';
import { afterEach, describe, expect, it } from 'vitest';

import { BucketingModule, DataBatch, DataDesc, profiler, type SymGen, Uniform } from '../src/index.js';

// Bucket k stacks k FullyConnected layers, so each bucket's plan has its own instruction count.
const symGen: SymGen = (key) => {
  let net: Symbol = Variable('data');
  for (let i = 0; i < (key as number); i++) net = FullyConnected({ data: net, name: `fc${i}`, numHidden: 6 });
  return [SoftmaxOutput({ data: net, name: 'softmax' }), ['data'], ['softmax_label']];
};

const batch = (key: number): DataBatch =>
  new DataBatch([nd.random.normal(0, 1, [4, 3])], [nd.array([0, 1, 2, 0])], {
    bucketKey: key,
    provideData: [new DataDesc('data', [4, 3])],
    provideLabel: [new DataDesc('softmax_label', [4])],
  });

afterEach(() => {
  profiler.setState('stop');
  profiler.setConfig();
});

describe('profiler over a BucketingModule', () => {
  it('counts the instructions of whichever bucket ran, the optimizer updates and the binding of a new bucket', () => {
    expect(profiler).toBe(nd.profiler);
    const mod = new BucketingModule(symGen, { defaultBucketKey: 3, logger: () => {} });
    mod.bind([new DataDesc('data', [4, 3])], [new DataDesc('softmax_label', [4])]);
    mod.initParams({ initializer: new Uniform(0.3) });
    mod.initOptimizer({ optimizer: 'sgd', optimizerParams: { learningRate: 0.1, momentum: 0.9 } });
    profiler.setConfig({ aggregateStats: true });
    profiler.setState('run');
    for (const key of [3, 2, 3]) {
      mod.forwardBackward(batch(key));
      mod.update();
    }
    profiler.setState('stop');
    const stats = JSON.parse(profiler.dumps({ format: 'json' })) as { Time: { operator: Record<string, { Count: number }> } };
    const counts = Object.fromEntries(Object.entries(stats.Time.operator).map(([op, s]) => [op, s.Count]));
    expect(counts['FullyConnected']).toBe(3 + 2 + 3);
    expect(counts['_backward_FullyConnected']).toBe(3 + 2 + 3);
    expect(counts['SoftmaxOutput']).toBe(3);
    // The module's updater batches every parameter of a step into one multiUpdate call.
    expect(counts['multi_sgd_mom_update']).toBe(3);
    // Bucket 2 is bound on first use, inside the profiled steps: one plan made, prepared and given its arena.
    expect(counts['planCreate']).toBe(1);
    expect(counts['planPrepare']).toBe(1);
    expect(counts['planRun']).toBeUndefined();
  });
});
