// The built-in corpus: training and validation sentences drawn from the stochastic grammar, with the
// source's exact entropy floor. Which floor to show next to a model's validation perplexity:
// `validFloorPpl`, the true model's perplexity on exactly these validation sentences (it shares the
// set's sampling luck with the model being measured); `floorPpl` is its expectation over all sets,
// the figure to quote for the source itself (it depends on the vocabulary size only, not on the
// seed). They differ by a percent or two on the default validation set.
// A bucketing iterator that drops sentences (longer than the last bucket, or a bucket's incomplete
// last batch) scores a subset: compute the floor of exactly the scored sentences with
// `source.perplexity(...)` when that matters.

import { ValueError } from '@bkt/ndarray';
import { sourceStatistics } from './entropy.js';
import { Rng } from './rng.js';
import { DEFAULT_VOCAB_SIZE, Source } from './source.js';

/** Training sentences of the default corpus: about 420k predicted tokens, one epoch. */
export const DEFAULT_TRAIN_SENTENCES = 25_000;
const TRAIN_STREAM = 1;
const VALID_STREAM = 2;

export interface CorpusOptions {
  seed: number;
  /** Training sentences; default DEFAULT_TRAIN_SENTENCES. */
  sentences?: number;
  /** Validation sentences; default a tenth of `sentences` (at least 1). */
  validSentences?: number;
  /** Words in the source's vocabulary; default DEFAULT_VOCAB_SIZE (2000). */
  vocabSize?: number;
}

export interface Corpus {
  /** Sentences as space-separated words. */
  readonly train: string[];
  readonly valid: string[];
  /** exp(entropy rate) of the source: the expected best perplexity (see the header for which to show). */
  readonly floorPpl: number;
  /** The true model's perplexity on `valid`. */
  readonly validFloorPpl: number;
  /** Every word the source can produce (some may be absent from `train`). */
  readonly vocab: string[];
  /** The true model, for scoring any other set of its sentences. */
  readonly source: Source;
}

function checkCount(what: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ValueError(`generateCorpus: ${what} must be a positive integer, got ${n}`);
}

/** Draws a corpus; the same seed and options give the same corpus, and `valid` depends on the seed only. */
export function generateCorpus(opts: CorpusOptions): Corpus {
  const sentences = opts.sentences ?? DEFAULT_TRAIN_SENTENCES;
  const validSentences = opts.validSentences ?? Math.max(1, Math.round(sentences / 10));
  checkCount('sentences', sentences);
  checkCount('validSentences', validSentences);
  const source = new Source({ seed: opts.seed, vocabSize: opts.vocabSize ?? DEFAULT_VOCAB_SIZE });
  const draw = (stream: number, n: number): string[] => {
    const rng = new Rng(opts.seed, stream);
    return Array.from({ length: n }, () => source.sample(rng).join(' '));
  };
  const valid = draw(VALID_STREAM, validSentences);
  return {
    train: draw(TRAIN_STREAM, sentences),
    valid,
    floorPpl: sourceStatistics(source).floorPpl,
    validFloorPpl: source.perplexity(valid),
    vocab: [...source.vocab],
    source,
  };
}
