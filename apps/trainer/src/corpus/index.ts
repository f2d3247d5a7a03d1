// The built-in corpus: a stochastic grammar with an exactly computable entropy floor, its sampled
// train/valid sets, bucket boundaries chosen from a length histogram, and the parallel corpus (its
// sentences with their exact translations into a target language).

export { chooseBuckets, paddedTokens } from '@bkt/module';
export { lengthDistribution, sourceStatistics, type SourceStatistics } from './entropy.js';
export { type Corpus, type CorpusOptions, DEFAULT_TRAIN_SENTENCES, generateCorpus } from './generate.js';
export { Rng } from './rng.js';
export { DEFAULT_VOCAB_SIZE, Source, type SourceOptions } from './source.js';
export { writeCorpus } from './write-corpus.js';
export {
  DEFAULT_MAX_SENTENCE_LENGTH,
  DEFAULT_PARALLEL_SENTENCES,
  DEFAULT_PARALLEL_VOCAB_SIZE,
  generateParallelCorpus,
  type ParallelCorpus,
  type ParallelCorpusOptions,
  type SentencePair,
} from './parallel.js';
export { TargetLanguage } from './target-language.js';
