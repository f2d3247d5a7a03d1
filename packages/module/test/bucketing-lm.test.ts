// End to end: the 2×200 LSTM language model of lstm_bucketing.py trained by BucketingModule on a
// small generated corpus — perplexity falls, bucketing changes cost but not maths, and a resumed run
// equals an uninterrupted one bit for bit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as nd from '@bkt/ndarray';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type BatchEndParam,
  BucketingModule,
  BucketSentenceIter,
  DataBatch,
  DataDesc,
  DataIter,
  type BucketKey,
  moduleCheckpoint,
  Perplexity,
  Xavier,
} from '../src/index.js';
import { lstmLMSymGen } from './lm-sym-gen.js';

const quiet = (): void => {};
const tmp = mkdtempSync(join(tmpdir(), 'bkt-bucketing-lm-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const VOCAB = 24;
const HIDDEN = 200;

/** lstm_bucketing.py's sym_gen (2 × LSTM 200, embed 200). */
const symGen = lstmLMSymGen(VOCAB, HIDDEN);

/** A noisy deterministic source: the next token is (3·prev + 1) mod (V−1) + 1 with probability 0.85. */
function corpus(n: number, minLen: number, maxLen: number, seed: number): number[][] {
  let state = seed;
  const rand = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const pick = (): number => 1 + Math.floor(rand() * (VOCAB - 1));
  return Array.from({ length: n }, () => {
    const len = minLen + Math.floor(rand() * (maxLen - minLen + 1));
    const sent = [pick()];
    while (sent.length < len) sent.push(rand() < 0.85 ? ((3 * sent.at(-1)! + 1) % (VOCAB - 1)) + 1 : pick());
    return sent;
  });
}

const fitOptions = {
  optimizer: 'adam',
  optimizerParams: { learningRate: 0.005, wd: 1e-5 },
  initializer: new Xavier({ factorType: 'in', magnitude: 2.34 }),
  evalMetric: new Perplexity(0),
} as const;

/** Replays fixed batches, so that two runs see the same sentences in the same batches. */
class ReplayIter extends DataIter {
  #i = 0;
  constructor(
    readonly batches: readonly DataBatch[],
    override readonly defaultBucketKey: BucketKey,
    readonly provideData: readonly DataDesc[],
    readonly provideLabel: readonly DataDesc[],
  ) {
    super(batches[0]!.data[0]!.shape[0]!);
  }
  reset(): void {
    this.#i = 0;
  }
  override next(): IteratorResult<DataBatch, undefined> {
    return this.#i < this.batches.length ? { done: false, value: this.batches[this.#i++]! } : { done: true, value: undefined };
  }
}

/** The batches of a BucketSentenceIter epoch, re-padded to `width(bucket)` (0 = padding, ignored). */
function replay(source: BucketSentenceIter, width: (bucket: number) => number): ReplayIter {
  const batches: DataBatch[] = [];
  for (const b of source) {
    const key = b.bucketKey as number;
    const w = width(key);
    const pad = (a: nd.NDArray): nd.NDArray => {
      const rows = a.shape[0]!;
      const src = a.toArray();
      const out = new Float32Array(rows * w);
      for (let r = 0; r < rows; r++) out.set(src.slice(r * key, (r + 1) * key), r * w);
      return nd.fromTypedArray(out, [rows, w]);
    };
    batches.push(
      new DataBatch([pad(b.data[0]!)], [pad(b.label[0]!)], {
        bucketKey: w,
        provideData: [new DataDesc('data', [rows(b), w])],
        provideLabel: [new DataDesc('softmax_label', [rows(b), w])],
      }),
    );
  }
  const maxW = Math.max(...batches.map((b) => b.bucketKey as number));
  const n = batches[0]!.data[0]!.shape[0]!;
  return new ReplayIter(batches, maxW, [new DataDesc('data', [n, maxW])], [new DataDesc('softmax_label', [n, maxW])]);
}
const rows = (b: DataBatch): number => b.data[0]!.shape[0]!;

// Adam turns float noise in near-zero gradients into full steps, so comparing two runs' maths needs SGD.
const sgdOptions = { optimizer: 'sgd', optimizerParams: { learningRate: 0.02 } } as const;

function trainPerplexities(
  iter: DataIter,
  numEpoch: number,
  seed: number,
  optimizer: Partial<typeof fitOptions> | typeof sgdOptions = {},
): { ppl: number[]; mod: BucketingModule } {
  const mod = new BucketingModule(symGen, { defaultBucketKey: iter.defaultBucketKey!, logger: quiet });
  const ppl: number[] = [];
  nd.seed(seed);
  mod.fit(iter, {
    ...fitOptions,
    ...optimizer,
    evalMetric: new Perplexity(0),
    numEpoch,
    epochEndCallback: () => {},
    batchEndCallback: (p: BatchEndParam) => {
      const vals = p.locals?.evalNameVals as [string, number][] | undefined;
      if (vals) ppl.push(vals[0]![1]);
    },
  });
  return { ppl, mod };
}

describe('BucketingModule trains the 2×200 LSTM language model', () => {
  it('perplexity falls, and the buckets are the ones the data asked for', () => {
    nd.seed(3);
    const train = new BucketSentenceIter(corpus(192, 3, 20, 1), 16, { buckets: [5, 10, 15, 20], invalidLabel: 0 });
    const { ppl, mod } = trainPerplexities(train, 5, 4);
    expect(ppl).toHaveLength(5);
    expect(ppl[4]!).toBeLessThan(ppl[0]! * 0.6);
    expect([...mod.bucketKeys].sort((a, b) => (a as number) - (b as number))).toEqual([5, 10, 15, 20]);
    // A validation set with a length no training batch had binds a new bucket and scores.
    const valid = new BucketSentenceIter(corpus(32, 24, 24, 9), 16, { buckets: [24], invalidLabel: 0 });
    const [[, validPpl]] = mod.score(valid, new Perplexity(0)) as [[string, number]];
    expect(mod.bucketKeys).toContain(24);
    expect(validPpl).toBeLessThan(ppl[0]!);
    mod.dispose();
  });

  it('one bucket of the maximum length gives the same loss curve as many buckets', () => {
    nd.seed(5);
    const source = new BucketSentenceIter(corpus(96, 3, 16, 2), 16, { buckets: [4, 8, 12, 16], invalidLabel: 0 });
    const bucketed = trainPerplexities(
      replay(source, (k) => k),
      3,
      6,
      sgdOptions,
    );
    source.reset();
    nd.seed(5);
    const padded = trainPerplexities(
      replay(new BucketSentenceIter(corpus(96, 3, 16, 2), 16, { buckets: [4, 8, 12, 16], invalidLabel: 0 }), () => 16),
      3,
      6,
      sgdOptions,
    );
    expect(padded.mod.bucketKeys).toEqual([16]);
    expect(bucketed.mod.bucketKeys.length).toBeGreaterThan(2);
    bucketed.ppl.forEach((p, i) => expect(Math.abs(p - padded.ppl[i]!) / p).toBeLessThan(1e-4));
    const [a] = bucketed.mod.getParams();
    const [b] = padded.mod.getParams();
    for (const k of Object.keys(a)) {
      const x = a[k]!.toArray();
      const y = b[k]!.toArray();
      const scale = x.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-3);
      const worst = x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i]!)), 0);
      expect(worst / scale).toBeLessThan(1e-4);
    }
    bucketed.mod.dispose();
    padded.mod.dispose();
  });

  it('checkpoint → load → continue equals an uninterrupted run bit for bit', () => {
    const data = corpus(96, 3, 15, 3);
    const iterOf = (): BucketSentenceIter => new BucketSentenceIter(data, 16, { buckets: [5, 10, 15], invalidLabel: 0 });

    nd.seed(8);
    const straightIter = iterOf();
    const straight = new BucketingModule(symGen, { defaultBucketKey: 15, logger: quiet });
    straight.fit(straightIter, { ...fitOptions, numEpoch: 2 });

    nd.seed(8);
    const iter = iterOf();
    const prefix = join(tmp, 'lm');
    const first = new BucketingModule(symGen, { defaultBucketKey: 15, logger: quiet });
    first.fit(iter, { ...fitOptions, numEpoch: 1, epochEndCallback: moduleCheckpoint(first, prefix, 1, true) });
    first.dispose();
    const resumed = BucketingModule.load(prefix, 1, { symGen, loadOptimizerStates: true, logger: quiet });
    resumed.fit(iter, { ...fitOptions, beginEpoch: 1, numEpoch: 2 });

    const [a] = straight.getParams();
    const [b] = resumed.getParams();
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const k of Object.keys(a)) expect(b[k]!.toArray()).toEqual(a[k]!.toArray());
    straight.dispose();
    resumed.dispose();
  });
});
