export { DataDesc, type DataDescLike } from './data-desc.js';
export { DataBatch, type BucketKey, type DataBatchOptions } from './data-batch.js';
export { DataIter } from './data-iter.js';
export { NDArrayIter, namedArrays, type ArraySource, type LastBatchHandle, type NDArrayIterOptions } from './ndarray-iter.js';
export { ResizeIter } from './resize-iter.js';
export { PrefetchingIter, type RenameList } from './prefetching-iter.js';
export { encodeSentences, type EncodeSentencesOptions } from './encode-sentences.js';
export { BucketSentenceIter, type BucketSentenceIterOptions } from './bucket-sentence-iter.js';
export { chooseBuckets, paddedTokens } from './choose-buckets.js';
export {
  ParallelBucketIter,
  type BucketGrid,
  type ParallelBucketIterOptions,
  type ParallelBucketStat,
} from './parallel-bucket-iter.js';
