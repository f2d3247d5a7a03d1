// The language model's data: the training and validation text (files or the built-in corpus),
// encoded with one vocabulary, the bucket lengths, and the bucketed iterators.

import { BucketSentenceIter, type Logger } from '@bkt/module';
import { chooseBuckets, generateCorpus } from './corpus-api.js';
import type { BucketStat } from './report.js';
import type { DataSpec } from './run-files.js';
import { buildVocab, encodeWith, readSentences, tokenize, type Vocab } from './text-data.js';

export interface LMData {
  train: number[][];
  valid: number[][];
  vocab: Vocab;
  floorPpl: number | null;
}

/** Reads (or generates) and encodes the text; with `vocab` (a resumed run) it is used as is. */
export function loadTrainingText(spec: DataSpec, eos: boolean, vocab?: Vocab): LMData {
  let train: string[][];
  let valid: string[][];
  let floorPpl: number | null = null;
  if (spec.kind === 'builtin') {
    const corpus = generateCorpus({ seed: spec.seed, sentences: spec.sentences });
    train = tokenize(corpus.train, eos);
    valid = tokenize(corpus.valid, eos);
    floorPpl = corpus.floorPpl;
  } else {
    train = readSentences(spec.train, '--train', eos);
    valid = readSentences(spec.valid, '--valid', eos);
  }
  if (vocab) return { train: encodeWith(train, vocab), valid: encodeWith(valid, vocab), vocab, floorPpl };
  const [, built] = buildVocab(spec.kind === 'files' && spec.vocabFromValid ? [...train, ...valid] : train);
  return { train: encodeWith(train, built), valid: encodeWith(valid, built), vocab: built, floorPpl };
}

/** Explicit lengths, or `numBuckets` chosen from the length histogram (the longest sentence included). */
export function resolveBuckets(buckets: readonly number[] | 'auto', numBuckets: number, lengths: readonly number[]): number[] {
  if (buckets !== 'auto') return [...buckets];
  return chooseBuckets([...lengths], numBuckets);
}

/** Sentences, real tokens and padding per bucket (sentences longer than every bucket are left out). */
export function bucketStats(lengths: readonly number[], buckets: readonly number[]): BucketStat[] {
  const stats = buckets.map((length) => ({ length, sentences: 0, tokens: 0, padding: 0 }));
  for (const n of lengths) {
    const s = stats.find((b) => b.length >= n);
    if (!s) continue;
    s.sentences += 1;
    s.tokens += n;
    s.padding += s.length - n;
  }
  return stats;
}

/** MXNet's BucketSentenceIter with padding (and invalid label) 0; `part` serves a distributed worker's share. */
export function bucketIter(
  sentences: readonly number[][],
  batchSize: number,
  buckets: readonly number[],
  layout: 'NT' | 'TN',
  logger: Logger,
  part: { numParts: number; partIndex: number } = { numParts: 1, partIndex: 0 },
): BucketSentenceIter {
  return new BucketSentenceIter(sentences, batchSize, { buckets, invalidLabel: 0, layout, logger, ...part });
}
