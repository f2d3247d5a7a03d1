// The built-in parallel corpus: source sentences from the stochastic grammar (short ones only, by
// rejection) and their exact translations into the target language of target-language.ts, so a
// translation model's output can be scored against the one correct answer (BLEU ceiling 100).

import { ValueError } from '@bkt/ndarray';
import { Rng } from './rng.js';
import { Source } from './source.js';
import { TargetLanguage } from './target-language.js';

export const DEFAULT_PARALLEL_SENTENCES = 20_000;
export const DEFAULT_PARALLEL_VOCAB_SIZE = 200;
/** Longest source sentence kept, in words. */
export const DEFAULT_MAX_SENTENCE_LENGTH = 12;
const TRAIN_STREAM = 1;
const VALID_STREAM = 2;
const TEST_STREAM = 3;
/** A sentence draw gives up after this many rejections per wanted sentence. */
const MAX_DRAWS_PER_SENTENCE = 1000;

export interface ParallelCorpusOptions {
  seed: number;
  /** Training pairs; default DEFAULT_PARALLEL_SENTENCES. */
  sentences?: number;
  /** Validation pairs and test pairs, each; default a tenth of `sentences` (at least 1). */
  heldOutSentences?: number;
  /** Source vocabulary size; default DEFAULT_PARALLEL_VOCAB_SIZE. */
  vocabSize?: number;
  /** Longest source sentence in words; default DEFAULT_MAX_SENTENCE_LENGTH. */
  maxLength?: number;
}

/** One sentence pair, words split. */
export interface SentencePair {
  readonly source: readonly string[];
  readonly target: readonly string[];
}

export interface ParallelCorpus {
  readonly train: SentencePair[];
  readonly valid: SentencePair[];
  /** Held out from training and model selection: the acceptance figures are measured here. */
  readonly test: SentencePair[];
  readonly source: Source;
  readonly target: TargetLanguage;
}

function checkCount(what: string, n: number, min: number): void {
  if (!Number.isInteger(n) || n < min)
    throw new ValueError(`generateParallelCorpus: ${what} must be an integer >= ${min}, got ${n}`);
}

/** Draws a parallel corpus; the same options give the same corpus, and valid/test do not depend on `sentences`. */
export function generateParallelCorpus(opts: ParallelCorpusOptions): ParallelCorpus {
  const sentences = opts.sentences ?? DEFAULT_PARALLEL_SENTENCES;
  const heldOut = opts.heldOutSentences ?? Math.max(1, Math.round(sentences / 10));
  const maxLength = opts.maxLength ?? DEFAULT_MAX_SENTENCE_LENGTH;
  checkCount('sentences', sentences, 1);
  checkCount('heldOutSentences', heldOut, 1);
  // the grammar's shortest sentences have three words
  checkCount('maxLength', maxLength, 3);
  const source = new Source({ seed: opts.seed, vocabSize: opts.vocabSize ?? DEFAULT_PARALLEL_VOCAB_SIZE });
  const target = new TargetLanguage(source, opts.seed);
  const draw = (stream: number, n: number): SentencePair[] => {
    const rng = new Rng(opts.seed, stream);
    const out: SentencePair[] = [];
    for (let tries = 0; out.length < n; tries++) {
      if (tries > MAX_DRAWS_PER_SENTENCE * n)
        throw new ValueError(`generateParallelCorpus: too few sentences of at most ${maxLength} words`);
      const words = source.sample(rng);
      if (words.length <= maxLength) out.push({ source: words, target: target.translate(words) });
    }
    return out;
  };
  return {
    train: draw(TRAIN_STREAM, sentences),
    valid: draw(VALID_STREAM, heldOut),
    test: draw(TEST_STREAM, heldOut),
    source,
    target,
  };
}
