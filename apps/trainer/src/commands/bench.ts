// `bkt-train bench`: training throughput of the language model on random tokens of one length, for
// the fused and/or the unrolled build, through the same Module path `lm` trains with (forward,
// backward, SGD update of every parameter). One JSON line per variant, like
// packages/executor/bench/lm.ts (which also times PyTorch's reference).

import { DataBatch, DataDesc, Module, Uniform } from '@bkt/module';
import { array, random, setNumThreads } from '@bkt/ndarray';
import { layoutOf, type LMConfig, lmSymGen } from '../model.js';

export interface BenchOptions {
  seqLen: number;
  batches: number;
  vocab: number;
  batchSize: number;
  numHidden: number;
  numEmbed: number;
  numLayers: number;
  cell: 'lstm' | 'gru';
  variant: 'fused' | 'unrolled' | 'both';
  threads?: number;
}

/** Measures one variant; returns its JSON record. */
export function benchVariant(o: BenchOptions, fused: boolean): Record<string, unknown> {
  const cfg: LMConfig = {
    cell: o.cell,
    fused,
    numLayers: o.numLayers,
    numHidden: o.numHidden,
    numEmbed: o.numEmbed,
    dropout: 0,
    vocabSize: o.vocab,
  };
  const layout = layoutOf(cfg);
  const shape = layout === 'NT' ? [o.batchSize, o.seqLen] : [o.seqLen, o.batchSize];
  const mod = new Module(lmSymGen(cfg)(o.seqLen)[0], { logger: () => {} });
  mod.bind([new DataDesc('data', shape, 'float32', layout)], [new DataDesc('softmax_label', shape, 'float32', layout)], {
    forTraining: true,
  });
  random.seed(0);
  mod.initParams({ initializer: new Uniform(0.1) });
  mod.initOptimizer({ optimizer: 'sgd', optimizerParams: { learningRate: 0.01, wd: 1e-5 } });
  const tokens = (): ReturnType<typeof array> => {
    const u = random.randint(1, o.vocab, shape);
    try {
      return array(u.toTypedArray() as Int32Array, { shape, dtype: 'float32' });
    } finally {
      u.dispose();
    }
  };
  const batch = new DataBatch([tokens()], [tokens()]);
  const step = (): void => {
    mod.forwardBackward(batch);
    mod.update();
  };
  step();
  step();
  const t0 = performance.now();
  for (let i = 0; i < o.batches; i++) step();
  const seconds = (performance.now() - t0) / 1000;
  for (const a of [...batch.data, ...batch.label]) a.dispose();
  return {
    variant: fused ? 'fused' : 'unrolled',
    cell: o.cell,
    seq_len: o.seqLen,
    batch_size: o.batchSize,
    num_hidden: o.numHidden,
    vocab: o.vocab,
    steps: o.batches,
    seconds: +seconds.toFixed(3),
    train_tokens_per_s: Math.round((o.batches * o.seqLen * o.batchSize) / seconds),
  };
}

/** Runs `bkt-train bench`; resolves with the exit code. */
export async function runBench(o: BenchOptions): Promise<number> {
  if (o.threads !== undefined) setNumThreads(o.threads);
  const variants = o.variant === 'both' ? [true, false] : [o.variant === 'fused'];
  for (const fused of variants) console.log(JSON.stringify(benchVariant(o, fused)));
  return 0;
}
