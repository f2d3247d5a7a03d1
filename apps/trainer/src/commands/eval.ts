// `bkt-train eval`: the perplexity of a checkpoint on a text file, encoded with the checkpoint's
// vocabulary (unknown words as <unk>), in the training buckets plus one for longer sentences.

import { Perplexity } from '@bkt/module';
import { cpu, setNumThreads, ValueError } from '@bkt/ndarray';
import { bucketIter } from '../lm-data.js';
import { loadLMModule } from '../lm-module.js';
import { layoutOf, lmSymGen } from '../model.js';
import type { CheckpointRef, ContextSpec } from '../options.js';
import { checkEpochExists, loadRunFiles } from '../run-files.js';
import { encodeWith, readSentences, UNK } from '../text-data.js';

export interface EvalOptions {
  checkpoint: CheckpointRef;
  data: string;
  batchSize: number;
  json?: boolean;
  contexts: ContextSpec[];
  threads?: number;
}

/** Runs `bkt-train eval`; resolves with the exit code. */
export async function runEval(o: EvalOptions): Promise<number> {
  if (o.threads !== undefined) setNumThreads(o.threads);
  const { prefix, epoch } = o.checkpoint;
  const { run, vocab } = loadRunFiles(prefix);
  checkEpochExists(prefix, epoch);
  const quiet = o.json ? () => {} : (m: string) => console.log(m);
  const sentences = encodeWith(readSentences(o.data, '--data', run.eos), vocab);
  const unk = vocab.get(UNK)!;
  const unknown = sentences.reduce((n, s) => n + s.filter((id) => id === unk).length, 0);
  const longest = Math.max(...sentences.map((s) => s.length));
  const largest = Math.max(...run.buckets);
  const buckets = longest <= largest ? run.buckets : [...run.buckets, longest];
  const iter = bucketIter(sentences, o.batchSize, buckets, layoutOf(run.model), quiet);
  if (iter.numBatches === 0)
    throw new ValueError(
      `--batch-size ${o.batchSize}: no bucket holds that many sentences of '${o.data}'; try a smaller --batch-size`,
    );
  const mod = loadLMModule(prefix, epoch, lmSymGen(run.model), iter.defaultBucketKey, {
    context: o.contexts.map((c) => cpu(c.deviceId)),
    logger: quiet,
  });
  mod.bind(iter.provideData, iter.provideLabel, { forTraining: false });
  const metric = new Perplexity(0);
  mod.score(iter, metric);
  const result = {
    checkpoint: `${prefix}:${epoch}`,
    data: o.data,
    perplexity: metric.get()[1] as number,
    tokens: metric.numInst,
    sentences: sentences.length,
    sentences_scored: iter.numBatches * o.batchSize,
    unknown_tokens: unknown,
  };
  if (o.json) console.log(JSON.stringify(result));
  else {
    console.log(`Perplexity of ${result.checkpoint} on ${o.data}: ${result.perplexity.toFixed(3)}`);
    console.log(
      `  ${result.tokens} tokens in ${result.sentences_scored} of ${result.sentences} sentences (a bucket's last partial batch is left out), ${unknown} unknown words`,
    );
  }
  return 0;
}
