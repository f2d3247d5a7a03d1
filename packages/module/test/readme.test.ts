// The README's examples, run as written (outputs replaced by checks).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as nd from '@bkt/ndarray';
import { Activation, Embedding, FullyConnected, Reshape, SoftmaxOutput, type Symbol as BktSymbol, Variable } from '@bkt/symbol';
import { LSTMCell, SequentialRNNCell } from '@bkt/symbol/rnn';
import { describe, expect, it } from 'vitest';
import {
  BucketingModule,
  BucketSentenceIter,
  doCheckpoint,
  encodeSentences,
  InitDesc,
  metric,
  Mixed,
  Module,
  moduleCheckpoint,
  Monitor,
  NDArrayIter,
  Perplexity,
  SequentialModule,
  Speedometer,
  type SymGen,
  Xavier,
  Zero,
} from '../src/index.js';

describe('README examples', () => {
  it('modules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bkt-readme-'));
    try {
      nd.seed(0);
      let net = FullyConnected({ data: Variable('data'), name: 'fc1', numHidden: 16 });
      net = FullyConnected({ data: Activation({ data: net, actType: 'relu' }), name: 'fc2', numHidden: 2 });
      const sym = SoftmaxOutput({ data: net, name: 'softmax' });
      const x = nd.random.normal(0, 1, [200, 4]);
      const xs = x.toArray();
      const y = nd.array(Array.from({ length: 200 }, (_, i) => (xs[i * 4]! > 0 ? 1 : 0)));
      const train = new NDArrayIter(x, y, { batchSize: 20 });
      const mod = new Module(sym, { context: [nd.cpu(0), nd.cpu(1)], logger: () => {} });
      mod.fit(train, {
        numEpoch: 5,
        optimizer: 'sgd',
        optimizerParams: { learningRate: 0.5, momentum: 0.9 },
        initializer: new Xavier(),
        epochEndCallback: moduleCheckpoint(mod, join(dir, 'mlp'), 5, true),
      });
      expect(mod.score(train, 'acc')[0]![1]).toBeGreaterThan(0.9);
      const probs = mod.predict(new NDArrayIter(x, null, { batchSize: 64 })) as nd.NDArray;
      expect(probs.shape).toEqual([200, 2]);
      const again = Module.load(join(dir, 'mlp'), 5, {
        loadOptimizerStates: true,
        context: [nd.cpu(0), nd.cpu(1)],
        logger: () => {},
      });
      again.bind(train.provideData, train.provideLabel);
      expect((again.predict(new NDArrayIter(x, null, { batchSize: 64 })) as nd.NDArray).toArray()).toEqual(probs.toArray());
      again.initOptimizer({ optimizerParams: { learningRate: 0.5, momentum: 0.9 } });
      expect(again.updater!.getStates()).toEqual(mod.updater!.getStates());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sequential module and monitor', () => {
    nd.seed(0);
    const x = nd.random.normal(0, 1, [200, 4]);
    const xs = x.toArray();
    const train = new NDArrayIter(x, nd.array(Array.from({ length: 200 }, (_, i) => (xs[i * 4]! > 0 ? 1 : 0))), {
      batchSize: 20,
    });
    const quiet = (): void => {};
    const features = Activation({
      data: FullyConnected({ data: Variable('data'), name: 'fc1', numHidden: 16 }),
      actType: 'relu',
      name: 'relu1',
    });
    const head = SoftmaxOutput({ data: FullyConnected({ data: Variable('data'), name: 'fc2', numHidden: 2 }), name: 'softmax' });
    const seq = new SequentialModule({ logger: quiet })
      .add(new Module(features, { labelNames: null, logger: quiet }))
      .add(new Module(head, { logger: quiet }), { takeLabels: true, autoWiring: true });
    const lines: string[] = [];
    const mon = new Monitor(10, { pattern: '.*weight|.*backward.*', sort: true, logger: (l) => lines.push(l) });
    seq.fit(train, {
      numEpoch: 3,
      optimizerParams: { learningRate: 0.5, momentum: 0.9 },
      initializer: new Xavier(),
      monitor: mon,
    });
    // Batches 1, 11, 21 of the 30 are monitored; each gives the same sorted names.
    const names = (step: number): string[] =>
      lines.filter((l) => l.startsWith(`Batch: ${String(step).padStart(7)} `)).map((l) => l.split(/\s+/)[2]!);
    expect(names(1)).toEqual([
      'fc1_backward_output0',
      'fc1_backward_output1',
      'fc1_backward_output2',
      'fc1_weight',
      'fc2_backward_output0',
      'fc2_backward_output1',
      'fc2_backward_output2',
      'fc2_weight',
      'relu1_backward_output',
      'softmax_backward_output0',
      'softmax_backward_output1',
    ]);
    expect(names(11)).toEqual(names(1));
    expect(lines.length).toBe(3 * names(1).length);
    expect(seq.score(train, 'acc')[0]![1] as number).toBeGreaterThan(0.8);
  });

  it('bucketing module', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bkt-readme-bucketing-'));
    try {
      nd.seed(0);
      const quiet = (): void => {};
      const vocab = 50;
      const symGen: SymGen = (seqLen) => {
        const stack = new SequentialRNNCell();
        for (let i = 0; i < 2; i++) stack.add(new LSTMCell(64, { prefix: `lstm_l${i}_` }));
        const embed = Embedding({ data: Variable('data'), name: 'embed', inputDim: vocab, outputDim: 32 });
        const { outputs } = stack.unroll(seqLen as number, embed, { mergeOutputs: true });
        const pred = FullyConnected({
          data: Reshape({ data: outputs as BktSymbol, shape: [-1, 64] }),
          name: 'pred',
          numHidden: vocab,
        });
        const label = Reshape({ data: Variable('softmax_label'), shape: [-1] });
        return [
          SoftmaxOutput({ data: pred, label, name: 'softmax', useIgnore: true, ignoreLabel: 0 }),
          ['data'],
          ['softmax_label'],
        ];
      };
      const sentences = Array.from({ length: 256 }, (_, i) =>
        Array.from({ length: 3 + (i % 18) }, (_, t) => 1 + ((i + t * 7) % (vocab - 1))),
      );
      const train = new BucketSentenceIter(sentences, 16, { buckets: [5, 10, 15, 20], invalidLabel: 0 });
      const mod = new BucketingModule(symGen, { defaultBucketKey: train.defaultBucketKey, maxBuckets: 8, logger: quiet });
      const ppl: number[] = [];
      mod.fit(train, {
        numEpoch: 2,
        optimizer: 'adam',
        optimizerParams: { learningRate: 0.01 },
        initializer: new Xavier({ factorType: 'in', magnitude: 2.34 }),
        evalMetric: new Perplexity(0),
        epochEndCallback: () => ppl.push(mod.score(train, new Perplexity(0))[0]![1] as number),
      });
      expect(ppl[1]!).toBeLessThan(ppl[0]!);
      const prefix = join(dir, 'lm');
      mod.saveCheckpoint(prefix, 2, true);
      for (const f of [
        'lm-0002.params',
        'lm-20-symbol.json',
        'lm-5-symbol.json',
        'lm-buckets.json',
        'lm.buckets',
        'lm-0002.states',
      ])
        expect(existsSync(join(dir, f))).toBe(true);
      const again = BucketingModule.load(prefix, 2, { symGen, loadOptimizerStates: true, logger: quiet });
      again.bind(train.provideData, train.provideLabel);
      expect(again.getParams()[0].pred_weight!.toArray()).toEqual(mod.getParams()[0].pred_weight!.toArray());
      mod.dispose();
      again.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('data', () => {
    nd.seed(0);
    const train = new NDArrayIter(nd.random.uniform(0, 1, [1000, 20]), nd.zeros([1000]), {
      batchSize: 128,
      shuffle: true,
      lastBatchHandle: 'roll_over',
    });
    let n = 0;
    for (const batch of train) {
      expect(batch.data[0]!.shape).toEqual([128, 20]);
      n += 1;
    }
    expect(n).toBe(7);
    train.reset();
    const lines = [
      ['the', 'cat', '\n'],
      ['a', 'dog', 'ran', '\n'],
    ];
    const [sentences, vocab] = encodeSentences(lines, { invalidLabel: 0, startLabel: 1 });
    expect(vocab.get('\n')).toBe(0);
    const lm = new BucketSentenceIter(sentences, 1, { buckets: [10, 20, 30], invalidLabel: 0, layout: 'NT' });
    expect(lm.defaultBucketKey).toBe(10); // only the 10 bucket receives sentences here
  });

  it('metrics', () => {
    const ppl = new Perplexity(0);
    ppl.update(
      [nd.array([1, 0])],
      [
        nd.array([
          [0.5, 0.5],
          [0.9, 0.1],
        ]),
      ],
    );
    expect(ppl.get()).toEqual(['perplexity', 2]);
    const m = metric.create(['acc', 'ce', (_label, pred) => pred.data[0]!]);
    expect(m.getNameValue().length).toBe(3);
  });

  it('initializers', () => {
    nd.seed(42);
    const init = new Xavier({ factorType: 'in', magnitude: 2.34 });
    const w = nd.empty([800, 200]);
    init.init('lstm_l0_i2h_weight', w);
    const b = nd.empty([800]);
    init.init(new InitDesc('lstm_l0_i2h_bias', { __init__: '["lstmbias", {"forget_bias": 1.0}]' }), b);
    expect(
      b
        .toArray()
        .slice(200, 400)
        .every((x) => x === 1),
    ).toBe(true);
    const e = nd.empty([10000, 200]);
    new Mixed(['.*embed.*', '.*'], [new Zero(), init]).init('embed_weight', e);
    expect(nd.max(nd.abs(e)).asScalar()).toBe(0);
  });

  it('callbacks', () => {
    const lines: string[] = [];
    const speedo = new Speedometer(32, 50, false, { logger: (l) => lines.push(l) });
    speedo.call({ epoch: 0, nbatch: 0, evalMetric: new Perplexity(0) });
    speedo.call({ epoch: 0, nbatch: 50, evalMetric: new Perplexity(0) });
    expect(lines[0]).toMatch(/^Epoch\[0\] Batch \[0-50\]\tSpeed: [\d.]+ samples\/sec\tperplexity=nan$/);
    expect(typeof doCheckpoint('run/lm', 1)).toBe('function');
  });
});
