import { BucketingModule, Perplexity, Xavier } from '@bkt/module';
import * as nd from '@bkt/ndarray';
import { beforeAll, describe, expect, it } from 'vitest';
import { exactMatch } from '../src/bleu.js';
import { BOS, buildSeq2SeqVocabs, encodePairs, loadParallelData, pairIter } from '../src/seq2seq/data.js';
import { Translator } from '../src/seq2seq/decode.js';
import { type Seq2SeqConfig, seq2seqSymGen } from '../src/seq2seq/model.js';
import { EOS, vocabSize } from '../src/text-data.js';

// A small model trained on a small built-in parallel corpus (short sentences, 64 words).
const data = loadParallelData({ kind: 'builtin', seed: 2, sentences: 3000, vocabSize: 64, maxLength: 6 });
const vocabs = buildSeq2SeqVocabs(data.train);
const words = new Map([...vocabs.target].map(([w, i]) => [i, w]));
const test = encodePairs(data.test!, vocabs);
const refs = data.test!.map((p) => p.target.join(' '));
const text = (ids: number[][]): string[] => ids.map((s) => s.map((i) => words.get(i)).join(' '));
const cfg: Seq2SeqConfig = {
  sourceVocabSize: vocabSize(vocabs.source),
  targetVocabSize: vocabSize(vocabs.target),
  numEmbed: 32,
  numHidden: 64,
  numLayers: 1,
  bidirectional: true,
  attention: 'dot',
  tieWeights: false,
  labelSmoothing: 0,
};
let translator: Translator;

beforeAll(() => {
  nd.random.seed(4);
  const train = pairIter(encodePairs(data.train, vocabs), vocabs, {
    batchSize: 32,
    buckets: 'auto',
    numBuckets: 3,
    logger: () => undefined,
  });
  const mod = new BucketingModule(seq2seqSymGen(cfg), { defaultBucketKey: train.defaultBucketKey, logger: () => undefined });
  mod.fit(train, {
    numEpoch: 5,
    optimizer: 'adam',
    optimizerParams: { learningRate: 0.01 },
    initializer: new Xavier({ factorType: 'in', magnitude: 2.34 }),
    evalMetric: new Perplexity(0),
  });
  const [args, aux] = mod.getParams();
  translator = new Translator({
    symGen: seq2seqSymGen(cfg),
    argParams: args,
    auxParams: aux,
    sourceBuckets: train.sourceBuckets,
    bosId: vocabs.target.get(BOS)!,
    eosId: vocabs.target.get(EOS)!,
    batchRows: 48,
  });
  mod.dispose();
}, 300_000);

describe('Translator', () => {
  it('greedy and beam search translate held-out sentences of a trained model', () => {
    const greedy = exactMatch(text(translator.translate(test.source)), refs);
    const beam = exactMatch(text(translator.translate(test.source, { beamSize: 4, lengthPenalty: 0.6 })), refs);
    expect(greedy).toBeGreaterThan(0.6);
    expect(beam).toBeGreaterThan(greedy - 0.05);
  });

  it('returns translations in input order, batches of several buckets mixed', () => {
    const some = test.source.slice(0, 60);
    const forward = translator.translate(some, { beamSize: 2 });
    expect(translator.translate([...some].reverse(), { beamSize: 2 })).toEqual([...forward].reverse());
  });

  it('binds a source longer than every bucket on the fly, with a longer output limit', () => {
    const long = [...test.source[0]!, ...test.source[1]!, ...test.source[2]!];
    expect(translator.keyFor(long.length)).toEqual([long.length, Math.ceil(long.length * 1.5) + 1]);
    const [out] = translator.translate([long]);
    expect(out!.length).toBeGreaterThan(0);
    expect(out!.length).toBeLessThanOrEqual(Math.ceil(long.length * 1.5));
  });

  it('rejects bad options and empty sources', () => {
    expect(() => translator.translate([[]])).toThrow(/source 0 is empty/);
    expect(() => translator.translate(test.source, { beamSize: 49 })).toThrow(/beamSize/);
    expect(() => translator.translate(test.source, { lengthPenalty: -1 })).toThrow(/lengthPenalty/);
    const opts = { symGen: seq2seqSymGen(cfg), argParams: {}, auxParams: {}, sourceBuckets: [4], bosId: 1, eosId: 2 };
    expect(() => new Translator({ ...opts, sourceBuckets: [] })).toThrow(/sourceBuckets is empty/);
    expect(() => new Translator({ ...opts, batchRows: 0 })).toThrow(/batchRows/);
    expect(() => new Translator({ ...opts, maxLengthRatio: Number.NaN })).toThrow(/maxLengthRatio/);
  });
});
