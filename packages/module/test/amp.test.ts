// `amp: 'bfloat16'` on Module and BucketingModule (MXNet's AMP with target_dtype bfloat16): the same
// training as float32 to bfloat16 precision, parameters kept float32, the GEMMs run in bfloat16.
import * as nd from '@bkt/ndarray';
import { Activation, FullyConnected, SoftmaxOutput, Variable } from '@bkt/symbol';
import { describe, expect, it } from 'vitest';

import { relativeError } from '../../ndarray/test/helpers.js';
import { BucketingModule, DataBatch, DataDesc, Module, NDArrayIter, Uniform } from '../src/index.js';

const quiet = (): void => {};

function mlp(hidden = 64) {
  let net = FullyConnected({ data: Variable('data'), name: 'fc1', numHidden: hidden });
  net = Activation({ data: net, name: 'relu1', actType: 'relu' });
  net = FullyConnected({ data: net, name: 'fc2', numHidden: 4 });
  return SoftmaxOutput({ data: net, name: 'softmax' });
}

/** fc1's weight after 3 epochs of SGD on a fixed problem, and the predictions for its inputs. */
function train(amp: 'bfloat16' | null): { weight: Float64Array; predictions: Float64Array; dtype: nd.DType } {
  nd.seed(3);
  const x = nd.random.normal(0, 1, [128, 32]);
  const y = nd.random.randint(0, 4, [128]).astype('float32');
  const mod = new Module(mlp(), { logger: quiet, amp });
  nd.seed(5);
  mod.fit(new NDArrayIter(x, y, { batchSize: 32 }), {
    numEpoch: 3,
    optimizer: 'sgd',
    optimizerParams: { learningRate: 0.1 },
    initializer: new Uniform(0.1),
  });
  const [args] = mod.getParams();
  const predictions = mod.predict(new NDArrayIter(x, null, { batchSize: 32 })) as nd.NDArray;
  return {
    weight: Float64Array.from(args.fc1_weight!.toArray()),
    predictions: Float64Array.from(predictions.toArray()),
    dtype: args.fc1_weight!.dtype,
  };
}

describe("Module({ amp: 'bfloat16' })", () => {
  it('trains like float32 to bfloat16 precision with float32 master weights', () => {
    nd.setGemmBackend('auto');
    const f32 = train(null);
    const bf16 = train('bfloat16');
    expect(bf16.dtype).toBe('float32');
    const weightError = relativeError(bf16.weight, f32.weight);
    expect(weightError).toBeGreaterThan(0); // bfloat16 really ran
    expect(weightError).toBeLessThan(1e-2);
    expect(relativeError(bf16.predictions, f32.predictions)).toBeLessThan(2e-2);
    expect(nd.gemmChoices().some((c) => c.precision === 'bfloat16')).toBe(true);
    expect(nd.getGemmPrecision()).toBe('float32');
  });

  it('is passed by BucketingModule to every bucket and checked at the boundary', () => {
    // Buckets by batch size here, so that each bucket has its own GEMM shapes.
    const mod = new BucketingModule(() => [mlp(), ['data'], ['softmax_label']], {
      defaultBucketKey: 8,
      logger: quiet,
      amp: 'bfloat16',
    });
    mod.bind([new DataDesc('data', [8, 32])], [new DataDesc('softmax_label', [8])], { forTraining: false });
    mod.initParams({ initializer: new Uniform(0.1) });
    nd.setGemmBackend('onednn'); // forgets earlier choices
    for (const key of [8, 4]) {
      mod.forward(
        new DataBatch([nd.random.normal(0, 1, [key, 32])], null, {
          bucketKey: key,
          provideData: [new DataDesc('data', [key, 32])],
        }),
        { isTrain: false },
      );
    }
    const fc1 = nd.gemmChoices().filter((c) => c.k === 32);
    expect(fc1.map((c) => `${c.m}:${c.precision}`).sort()).toEqual(['4:bfloat16', '8:bfloat16']);
    nd.setGemmBackend('auto');
    expect(() => new Module(mlp(), { logger: quiet, amp: 'float16' as 'bfloat16' })).toThrow(/Module: amp must be 'bfloat16'/);
  });
});
