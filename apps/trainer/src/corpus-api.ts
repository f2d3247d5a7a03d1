// The trainer's view of the built-in corpus.
export { chooseBuckets, generateCorpus } from './corpus/index.js';
export type { Corpus } from './corpus/index.js';
