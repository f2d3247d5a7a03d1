// Memory soak: a small BucketingModule (LSTM language model, four buckets) run for many batches
// through fit, score or iterPredict/predict, sampling the live native handles and the RSS. Flat
// figures mean the library releases every per-batch array itself (issue 11: no growth until the
// garbage collector happens to run).
//   pnpm --filter @bkt/module soak -- --mode fit|score|predict|all --batches 10000 --every 500 [--contexts 2]
// One JSON line per sample: {mode, batch, liveHandles, liveStorages, liveBytes, totalHandles,
// totalAllocations, rssMB, heapUsedMB}; the differences of the totals between two samples are the
// arrays made and the buffers allocated in between. The test suite runs a short version
// (test/soak.test.ts).
import { pathToFileURL } from 'node:url';
import * as nd from '@bkt/ndarray';
import { Embedding, FullyConnected, Reshape, SoftmaxOutput, type Symbol, Variable } from '@bkt/symbol';
import { LSTMCell, SequentialRNNCell } from '@bkt/symbol/rnn';
import { BucketingModule, BucketSentenceIter, Perplexity, type SymGen, Xavier } from '../src/index.js';

export type SoakMode = 'fit' | 'score' | 'predict';

export interface SoakSample {
  mode: SoakMode;
  batch: number;
  liveHandles: number;
  liveStorages: number;
  liveBytes: number;
  /** Handles ever created (nd.memoryStats().totalHandles). */
  totalHandles: number;
  /** Native buffers ever allocated. */
  totalAllocations: number;
  rssMB: number;
  heapUsedMB: number;
}

export interface SoakOptions {
  mode: SoakMode;
  /** Batches to run in all (fit: whole epochs, so up to one epoch more). */
  batches: number;
  /** Sample after every `every` batches. */
  every: number;
  /** Data parallel over cpu(0) … cpu(n-1). Default 1. */
  contexts?: number;
  onSample: (s: SoakSample) => void;
}

const VOCAB = 40;
const BATCH = 8;

const symGen: SymGen = (key) => {
  const stack = new SequentialRNNCell();
  stack.add(new LSTMCell(16, { prefix: 'lstm_l0_' }));
  const embed = Embedding({ data: Variable('data'), name: 'embed', inputDim: VOCAB, outputDim: 8 });
  const { outputs } = stack.unroll(key as number, embed, { mergeOutputs: true });
  const pred = FullyConnected({ data: Reshape({ data: outputs as Symbol, shape: [-1, 16] }), name: 'pred', numHidden: VOCAB });
  const label = Reshape({ data: Variable('softmax_label'), shape: [-1] });
  return [SoftmaxOutput({ data: pred, label, name: 'softmax', useIgnore: true, ignoreLabel: 0 }), ['data'], ['softmax_label']];
};

function sentences(n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: 2 + (i % 15) }, (_, t) => 1 + ((i * 7 + t * 3) % (VOCAB - 1))));
}

function sample(mode: SoakMode, batch: number): SoakSample {
  const m = nd.memoryStats();
  const mem = process.memoryUsage();
  const mb = (b: number): number => Math.round((b / 2 ** 20) * 10) / 10;
  return {
    mode,
    batch,
    liveHandles: m.liveHandles,
    liveStorages: m.liveStorages,
    liveBytes: m.liveBytes,
    totalHandles: m.totalHandles,
    totalAllocations: m.totalAllocations,
    rssMB: mb(mem.rss),
    heapUsedMB: mb(mem.heapUsed),
  };
}

/** Runs the soak; returns the number of batches run. */
export function soak(opts: SoakOptions): number {
  nd.seed(0);
  const iter = new BucketSentenceIter(sentences(320), BATCH, { buckets: [4, 8, 12, 16], invalidLabel: 0 });
  const context = Array.from({ length: opts.contexts ?? 1 }, (_, i) => nd.cpu(i));
  const mod = new BucketingModule(symGen, { defaultBucketKey: iter.defaultBucketKey, context, logger: () => {} });
  mod.bind(iter.provideData, iter.provideLabel);
  mod.initParams({ initializer: new Xavier({ factorType: 'in', magnitude: 2.34 }) });
  mod.initOptimizer({ optimizer: 'sgd', optimizerParams: { learningRate: 0.1 } });
  let done = 0;
  const tick = (): void => {
    done += 1;
    if (done % opts.every === 0) opts.onSample(sample(opts.mode, done));
  };
  const metric = new Perplexity(0);
  if (opts.mode === 'fit') {
    const numEpoch = Math.ceil(opts.batches / iter.numBatches);
    mod.fit(iter, {
      numEpoch,
      evalMetric: metric,
      batchEndCallback: tick,
      optimizer: 'sgd',
      optimizerParams: { learningRate: 0.1 },
    });
  } else if (opts.mode === 'score') {
    while (done < opts.batches) mod.score(iter, metric, { batchEndCallback: tick, numBatch: opts.batches - done });
  } else {
    while (done < opts.batches) {
      // One epoch through iterPredict, then every other epoch through predict (whose merged outputs are ours to free).
      for (const _ of mod.iterPredict(iter, { numBatch: opts.batches - done })) tick();
      if (done < opts.batches && done % 2 === 0) {
        const merged = mod.predict(iter, { mergeBatches: false }) as nd.NDArray[][];
        for (const outs of merged) for (const o of outs) o.dispose();
        for (let k = 0; k < merged.length; k++) tick();
      }
    }
  }
  mod.dispose();
  return done;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string, fallback: string): string => {
    const i = process.argv.indexOf(`--${name}`);
    return i < 0 ? fallback : process.argv[i + 1]!;
  };
  const modes = arg('mode', 'fit');
  for (const mode of modes === 'all' ? ['fit', 'score', 'predict'] : [modes]) {
    if (mode !== 'fit' && mode !== 'score' && mode !== 'predict')
      throw new Error(`--mode must be fit, score, predict or all, got ${mode}`);
    const [batches, every, contexts] = [
      Number(arg('batches', '10000')),
      Number(arg('every', '500')),
      Number(arg('contexts', '1')),
    ];
    soak({ mode, batches, every, contexts, onSample: (s) => console.log(JSON.stringify(s)) });
  }
}
