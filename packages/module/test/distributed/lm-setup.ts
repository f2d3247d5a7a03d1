// The small LSTM language model and the fixed batches of the dist_sync training test: 20 steps of a
// global batch of 2×4 sentences. Worker r of 2 trains on half r of each step's sentences; the one-
// process reference trains on the whole global batch. Every 4th step the halves have different lengths
// (different buckets on the two workers); the reference pads the shorter half with 0, which the loss
// ignores and the (causal) LSTM never reads before a real token, so its gradient is the same sum.
import * as nd from '@bkt/ndarray';

import type { KVStore } from '@bkt/kvstore';

import { BucketingModule, type BucketKey, DataBatch, DataDesc, DataIter, type ParamDict, Xavier } from '../../src/index.js';
import { lstmLMSymGen } from '../lm-sym-gen.js';

const VOCAB = 24;
const HIDDEN = 32;
export const STEPS = 20;
const HALF = 4;
const LONGEST = 10;

const symGen = lstmLMSymGen(VOCAB, HIDDEN);

/** Sentence tokens in [1, VOCAB) of HALF sentences of `len` tokens for (step, half), from a fixed hash. */
function half(step: number, which: number, len: number): number[][] {
  return Array.from({ length: HALF }, (_, s) =>
    Array.from({ length: len }, (_, t) => 1 + ((step * 131 + which * 71 + s * 37 + t * 17 + ((step * t) % 5)) % (VOCAB - 1))),
  );
}

/** The two halves' lengths at a step: equal, except every 4th step. */
const lengths = (step: number): [number, number] =>
  step % 4 === 3 ? [5, LONGEST] : step % 2 === 0 ? [LONGEST, LONGEST] : [5, 5];

/** Data and label (next token, 0 after the end) arrays of sentences padded with 0 to `width`. */
function batch(sentences: readonly number[][], width: number): DataBatch {
  const data = new Float32Array(sentences.length * width);
  const label = new Float32Array(sentences.length * width);
  sentences.forEach((s, r) =>
    s.forEach((tok, t) => {
      data[r * width + t] = tok;
      label[r * width + t] = t + 1 < s.length ? s[t + 1]! : 0;
    }),
  );
  const shape = [sentences.length, width];
  return new DataBatch([nd.fromTypedArray(data, shape)], [nd.fromTypedArray(label, shape)], {
    bucketKey: width,
    provideData: [new DataDesc('data', shape)],
    provideLabel: [new DataDesc('softmax_label', shape)],
  });
}

class FixedBatches extends DataIter {
  #next = 0;
  override readonly defaultBucketKey: BucketKey = LONGEST;
  readonly provideData: readonly DataDesc[];
  readonly provideLabel: readonly DataDesc[];
  constructor(readonly batches: readonly DataBatch[]) {
    super(batches[0]!.data[0]!.shape[0]!);
    this.provideData = [new DataDesc('data', [this.batchSize, LONGEST])];
    this.provideLabel = [new DataDesc('softmax_label', [this.batchSize, LONGEST])];
  }
  reset(): void {
    this.#next = 0;
  }
  override next(): IteratorResult<DataBatch, undefined> {
    return this.#next < this.batches.length
      ? { done: false, value: this.batches[this.#next++]! }
      : { done: true, value: undefined };
  }
}

/** Worker `rank`'s half of every step, in its own bucket. */
export const workerData = (rank: number): DataIter =>
  new FixedBatches(Array.from({ length: STEPS }, (_, s) => batch(half(s, rank, lengths(s)[rank]!), lengths(s)[rank]!)));

/**
 * Worker `rank`'s batches of a language the LM can learn in a few epochs: every token is followed by
 * the next one in the cycle 1 … VOCAB − 1, each sentence starting elsewhere.
 */
export const cycleData = (rank: number): DataIter =>
  new FixedBatches(
    Array.from({ length: STEPS }, (_, s) => {
      const len = lengths(s)[rank]!;
      const sentences = Array.from({ length: HALF }, (_, i) =>
        Array.from({ length: len }, (_, t) => 1 + ((s * 7 + i * 5 + rank * 3 + t) % (VOCAB - 1))),
      );
      return batch(sentences, len);
    }),
  );

/** The global batches, in the longer half's bucket. */
export const globalData = (): DataIter =>
  new FixedBatches(
    Array.from({ length: STEPS }, (_, s) =>
      batch([...half(s, 0, lengths(s)[0]), ...half(s, 1, lengths(s)[1])], Math.max(...lengths(s))),
    ),
  );

/** The untrained LM (its buckets bind as batches need them). */
export const lmModule = (logger: (m: string) => void = () => {}): BucketingModule =>
  new BucketingModule(symGen, { defaultBucketKey: LONGEST, logger });

/** Trains one epoch (20 SGD steps) from seed 5 and returns the parameters as plain numbers. */
export function train(
  iter: DataIter,
  kvstore: string,
  opts: {
    logger?: (m: string) => void;
    epochEnd?: () => void;
    batchEnd?: (kv: KVStore | null) => void;
    learningRate?: number;
  } = {},
): Record<string, number[]> {
  nd.seed(5);
  const mod = lmModule(opts.logger);
  mod.fit(iter, {
    numEpoch: 1,
    kvstore,
    optimizer: 'sgd',
    optimizerParams: { learningRate: opts.learningRate ?? 0.5, momentum: 0.9 },
    initializer: new Xavier({ factorType: 'in', magnitude: 2.34 }),
    evalMetric: 'perplexity',
    epochEndCallback: opts.epochEnd ? () => opts.epochEnd!() : undefined,
    batchEndCallback: opts.batchEnd ? () => opts.batchEnd!(mod.kvstore) : undefined,
  });
  const [args] = mod.getParams();
  return Object.fromEntries(Object.entries(args as ParamDict).map(([k, v]) => [k, Array.from(v.toArray())]));
}
