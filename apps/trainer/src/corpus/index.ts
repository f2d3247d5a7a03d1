// The built-in corpus: a stochastic grammar with an exactly computable entropy floor, its sampled
// train/valid sets, and bucket boundaries chosen from a length histogram.

export { chooseBuckets, paddedTokens } from './buckets.js';
export { lengthDistribution, sourceStatistics, type SourceStatistics } from './entropy.js';
export { type Corpus, type CorpusOptions, DEFAULT_TRAIN_SENTENCES, generateCorpus } from './generate.js';
export { Rng } from './rng.js';
export { DEFAULT_VOCAB_SIZE, Source, type SourceOptions } from './source.js';
export { writeCorpus } from './write-corpus.js';
