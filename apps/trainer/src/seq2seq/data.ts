// The translation model's data: sentence pairs (parallel files, one sentence a line, or the built-in
// parallel corpus), the source and target vocabularies (padding 0, `<unk>`; the target also has
// `<s>` and `</s>`), and the 2-D bucketed iterators.

import { type Logger, ParallelBucketIter } from '@bkt/module';
import { ValueError } from '@bkt/ndarray';
import { generateParallelCorpus, type SentencePair } from '../corpus/index.js';
import { buildVocab, encodeWith, EOS, readSentences, type Vocab } from '../text-data.js';

export const BOS = '<s>';

/** Where the pairs come from; recorded in the run file so a resumed run reads the same data. */
export type ParallelDataSpec =
  | { kind: 'builtin'; seed: number; sentences: number; vocabSize: number; maxLength: number }
  | { kind: 'files'; trainSource: string; trainTarget: string; validSource: string; validTarget: string };

export interface Seq2SeqVocabs {
  source: Vocab;
  target: Vocab;
}

export interface EncodedPairs {
  source: number[][];
  target: number[][];
}

export interface ParallelData {
  train: SentencePair[];
  valid: SentencePair[];
  /** The built-in corpus's test set (held out from training and validation); null for files. */
  test: SentencePair[] | null;
}

function readPairs(sourceFile: string, targetFile: string, what: string): SentencePair[] {
  const src = readSentences(sourceFile, `${what}-source`, false);
  const tgt = readSentences(targetFile, `${what}-target`, false);
  if (src.length !== tgt.length)
    throw new ValueError(`${what}: '${sourceFile}' has ${src.length} sentences but '${targetFile}' has ${tgt.length}`);
  return src.map((s, i) => ({ source: s, target: tgt[i]! }));
}

/** Reads the parallel files or generates the built-in corpus. */
export function loadParallelData(spec: ParallelDataSpec): ParallelData {
  if (spec.kind === 'builtin') {
    const c = generateParallelCorpus({
      seed: spec.seed,
      sentences: spec.sentences,
      vocabSize: spec.vocabSize,
      maxLength: spec.maxLength,
    });
    return { train: c.train, valid: c.valid, test: c.test };
  }
  return {
    train: readPairs(spec.trainSource, spec.trainTarget, '--train'),
    valid: readPairs(spec.validSource, spec.validTarget, '--valid'),
    test: null,
  };
}

/** Vocabularies from the training pairs. */
export function buildSeq2SeqVocabs(train: readonly SentencePair[]): Seq2SeqVocabs {
  const [, source] = buildVocab(train.map((p) => [...p.source]));
  const [, target] = buildVocab(train.map((p) => [...p.target]));
  for (const special of [BOS, EOS]) if (!target.has(special)) target.set(special, Math.max(...target.values()) + 1);
  return { source, target };
}

/** Encodes pairs (unknown words as `<unk>`). */
export function encodePairs(pairs: readonly SentencePair[], v: Seq2SeqVocabs): EncodedPairs {
  return {
    source: encodeWith(
      pairs.map((p) => [...p.source]),
      v.source,
    ),
    target: encodeWith(
      pairs.map((p) => [...p.target]),
      v.target,
    ),
  };
}

export interface PairIterOptions {
  batchSize: number;
  buckets: { source: number[]; target: number[] } | 'auto';
  numBuckets: number;
  logger: Logger;
  numParts?: number;
  partIndex?: number;
}

/** The 2-D bucketed iterator over encoded pairs. */
export function pairIter(data: EncodedPairs, v: Seq2SeqVocabs, o: PairIterOptions): ParallelBucketIter {
  return new ParallelBucketIter(data.source, data.target, o.batchSize, {
    bosId: v.target.get(BOS)!,
    eosId: v.target.get(EOS)!,
    buckets: o.buckets,
    numBuckets: o.numBuckets,
    logger: o.logger,
    ...(o.numParts !== undefined ? { numParts: o.numParts, partIndex: o.partIndex ?? 0 } : {}),
  });
}

/** The share of computed positions that are padding, three ways of bucketing the same pairs. */
export interface PaddingComparison {
  /** The 2-D grid [S, T]. */
  grid: number;
  /** Buckets on the source length only (the grid's source boundaries), each padded to its longest target. */
  sourceOnly: number;
  /** One bucket: the longest source and the longest target. */
  none: number;
}

/** Padding of the pairs that fit `grid` (source lengths, target lengths + 1) under each scheme. */
export function paddingComparison(
  pairs: readonly SentencePair[],
  grid: { source: readonly number[]; target: readonly number[] },
): PaddingComparison {
  const maxS = grid.source.at(-1)!;
  const maxT = grid.target.at(-1)!;
  const fit = pairs.map((p) => [p.source.length, p.target.length + 1] as const).filter(([s, t]) => s <= maxS && t <= maxT);
  if (fit.length === 0) throw new ValueError('paddingComparison: no pair fits the grid');
  const real = fit.reduce((n, [s, t]) => n + s + t, 0);
  const share = (computed: number): number => 1 - real / computed;
  const up = (bounds: readonly number[], n: number): number => bounds.find((b) => b >= n)!;
  const longestTarget = new Map<number, number>();
  for (const [s, t] of fit) longestTarget.set(up(grid.source, s), Math.max(longestTarget.get(up(grid.source, s)) ?? 0, t));
  return {
    grid: share(fit.reduce((n, [s, t]) => n + up(grid.source, s) + up(grid.target, t), 0)),
    sourceOnly: share(fit.reduce((n, [s]) => n + up(grid.source, s) + longestTarget.get(up(grid.source, s))!, 0)),
    none: share(fit.length * (Math.max(...fit.map(([s]) => s)) + Math.max(...fit.map(([, t]) => t)))),
  };
}
