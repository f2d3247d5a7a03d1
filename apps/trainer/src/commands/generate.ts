// `bkt-train generate`: samples words one at a time from a checkpoint. The model is bound once, at
// the largest training bucket with a batch of one; each step feeds the last words (right-padded,
// which a left-to-right RNN never sees from earlier positions) and samples the next word from the
// output at the last real position, sharpened or flattened by the temperature. Stops at </s>.

import { DataBatch, DataDesc } from '@bkt/module';
import { array, cpu, type NDArray, setNumThreads, ValueError } from '@bkt/ndarray';
import { Rng } from '../corpus/rng.js';
import { loadLMModule } from '../lm-module.js';
import { layoutOf, lmSymGen } from '../model.js';
import type { CheckpointRef } from '../options.js';
import { checkEpochExists, loadRunFiles } from '../run-files.js';
import { EOS, PAD, UNK } from '../text-data.js';

export interface GenerateOptions {
  checkpoint: CheckpointRef;
  prompt?: string;
  length: number;
  temperature: number;
  seed: number;
  count: number;
  threads?: number;
}

/** Index drawn from `probs` (any non-negative weights) raised to 1/temperature. */
export function sampleIndex(probs: ArrayLike<number>, temperature: number, u: number, exclude: ReadonlySet<number>): number {
  const w = new Float64Array(probs.length);
  let total = 0;
  const logs = Array.from(probs, (p, i) => (exclude.has(i) || !(p > 0) ? -Infinity : Math.log(p) / temperature));
  const max = Math.max(...logs);
  for (let i = 0; i < w.length; i++) total += w[i] = Math.exp(logs[i]! - max);
  let x = u * total;
  for (let i = 0; i < w.length; i++) {
    x -= w[i]!;
    if (x < 0 && w[i]! > 0) return i;
  }
  return logs.lastIndexOf(max);
}

/** Runs `bkt-train generate`; resolves with the exit code. */
export async function runGenerate(o: GenerateOptions): Promise<number> {
  if (o.threads !== undefined) setNumThreads(o.threads);
  const { prefix, epoch } = o.checkpoint;
  const { run, vocab } = loadRunFiles(prefix);
  checkEpochExists(prefix, epoch);
  const words = new Map([...vocab].map(([w, id]) => [id, w]));
  const window = Math.max(...run.buckets);
  const layout = layoutOf(run.model);
  const shape = layout === 'NT' ? [1, window] : [window, 1];
  const mod = loadLMModule(prefix, epoch, lmSymGen(run.model), window, { context: [cpu()], logger: () => {} });
  const provideData = [new DataDesc('data', shape, 'float32', layout)];
  const provideLabel = [new DataDesc('softmax_label', shape, 'float32', layout)];
  mod.bind(provideData, provideLabel, { forTraining: false });
  const rng = new Rng(o.seed);
  const rand = (): number => rng.next();
  const special = new Set([PAD, UNK, EOS].map((w) => vocab.get(w)).filter((id): id is number => id !== undefined));
  const eos = vocab.get(EOS);
  const promptWords = (o.prompt ?? '').split(/\s+/).filter((w) => w !== '');
  const unknown = promptWords.filter((w) => !vocab.has(w));
  if (unknown.length > 0) console.error(`note: not in the vocabulary, read as ${UNK}: ${unknown.join(' ')}`);
  const ordinary = [...vocab.values()].filter((id) => !special.has(id));
  if (ordinary.length === 0) throw new ValueError(`the vocabulary of '${prefix}' has no words`);
  const label = array(new Float64Array(window), { shape, dtype: 'float32' });
  try {
    for (let s = 0; s < o.count; s++) {
      const ids =
        promptWords.length > 0
          ? promptWords.map((w) => vocab.get(w) ?? vocab.get(UNK)!)
          : [ordinary[Math.floor(rand() * ordinary.length)]!];
      for (let step = 0; step < o.length; step++) {
        const ctx = ids.slice(-window);
        const buf = new Float64Array(window);
        buf.set(ctx);
        const data: NDArray = array(buf, { shape, dtype: 'float32' });
        try {
          mod.forward(new DataBatch([data], [label], { bucketKey: window, provideData, provideLabel }), { isTrain: false });
        } finally {
          data.dispose();
        }
        const probs = mod.getOutputs()[0]!.toTypedArray() as Float32Array;
        const vocabSize = run.model.vocabSize;
        const at = (ctx.length - 1) * vocabSize;
        const next = sampleIndex(
          probs.subarray(at, at + vocabSize),
          o.temperature,
          rand(),
          new Set([...special].filter((id) => id !== eos)),
        );
        if (next === eos) break;
        ids.push(next);
      }
      console.log(ids.map((id) => words.get(id) ?? UNK).join(' '));
    }
  } finally {
    label.dispose();
  }
  return 0;
}
