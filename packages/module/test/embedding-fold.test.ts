// A BucketingModule's buckets share the parameter arrays, so scoring over several buckets builds the
// RNN's folded embedding projection (@bkt/ndarray's rnn_embedding_fold.h) once V rows were projected,
// and every bucket looks its rows up in it: the score equals that of the same model with an identity op between
// the Embedding and the RNN, which is never folded.
import * as nd from '@bkt/ndarray';
import { Embedding, FullyConnected, identity, Reshape, SoftmaxOutput, type Symbol, Variable } from '@bkt/symbol';
import { FusedRNNCell } from '@bkt/symbol/rnn';
import { describe, expect, it } from 'vitest';

import { restoreGemmSettingsAfterAll } from '../../executor/test/plan-harness.js';
import {
  type BucketKey,
  BucketingModule,
  BucketSentenceIter,
  DataBatch,
  type DataDesc,
  DataIter,
  Perplexity,
  type SymGen,
  Uniform,
} from '../src/index.js';

restoreGemmSettingsAfterAll();

const VOCAB = 43; // no bucket has T·N = VOCAB rows (buckets 4, 7, 10 at batch 4)
const EMBED = 6;
const HIDDEN = 5;

/** Embedding -> FusedRNNCell's 2-layer LSTM (time major) -> FullyConnected -> SoftmaxOutput, padding ignored. */
function symGen(fold: boolean): SymGen {
  return (key) => {
    const embed = Embedding({ data: Variable('data'), name: 'embed', inputDim: VOCAB, outputDim: EMBED });
    const cell = new FusedRNNCell(HIDDEN, { numLayers: 2, mode: 'lstm', prefix: 'lstm_' });
    const data = fold ? embed : identity({ data: embed });
    const rnn = cell.unroll(key as number, data, { layout: 'TNC', mergeOutputs: true }).outputs as Symbol;
    const pred = FullyConnected({ data: Reshape({ data: rnn, shape: [-1, HIDDEN] }), name: 'pred', numHidden: VOCAB });
    const label = Reshape({ data: Variable('softmax_label'), shape: [-1] });
    return [SoftmaxOutput({ data: pred, label, name: 'softmax', useIgnore: true, ignoreLabel: 0 }), ['data'], ['softmax_label']];
  };
}

/** Calls of the products with layer 0's shape (4·HIDDEN gates from EMBED inputs): the table's, of VOCAB
 * rows, and each bucket's projection of its T·N rows. */
const layer0Products = (): { table: number; rows: number } => {
  const calls = nd.gemmChoices().filter((c) => c.n === 4 * HIDDEN && c.k === EMBED && c.bias);
  const sum = (cs: typeof calls): number => cs.reduce((s, c) => s + c.calls, 0);
  return { table: sum(calls.filter((c) => c.m === VOCAB)), rows: sum(calls.filter((c) => c.m !== VOCAB)) };
};

/** Serves fixed batches, described as `like` describes its own. */
class Replay extends DataIter {
  #i = 0;
  override readonly defaultBucketKey: BucketKey | undefined;
  readonly provideData: readonly DataDesc[];
  readonly provideLabel: readonly DataDesc[];
  constructor(
    readonly batches: readonly DataBatch[],
    like: DataIter,
  ) {
    super(like.batchSize);
    this.defaultBucketKey = like.defaultBucketKey;
    this.provideData = like.provideData;
    this.provideLabel = like.provideLabel;
  }
  reset(): void {
    this.#i = 0;
  }
  override next(): IteratorResult<DataBatch, undefined> {
    return this.#i < this.batches.length ? { done: false, value: this.batches[this.#i++]! } : { done: true, value: undefined };
  }
}

describe('BucketingModule.score with a fused RNN fed by an Embedding', () => {
  it('builds one folded table for all buckets and scores as the unfolded model', () => {
    nd.seed(12);
    nd.setGemmBackend('onednn'); // forgets earlier choices and their counts
    let state = 7;
    const rand = (): number => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
    const sentences = Array.from({ length: 60 }, () =>
      Array.from({ length: 2 + Math.floor(rand() * 9) }, () => 1 + Math.floor(rand() * (VOCAB - 1))),
    );
    const iter = new BucketSentenceIter(sentences, 4, { buckets: [4, 7, 10], layout: 'TN', invalidLabel: 0 });
    const modules = [true, false].map((fold) => {
      const mod = new BucketingModule(symGen(fold), { defaultBucketKey: iter.defaultBucketKey, logger: () => {} });
      mod.bind(iter.provideData, iter.provideLabel, { forTraining: false });
      return mod;
    });
    const [folded, reference] = modules as [BucketingModule, BucketingModule];
    try {
      folded.initParams({ initializer: new Uniform(0.5) });
      const [args, aux] = folded.getParams();
      reference.setParams(args, aux);

      // One epoch's batches, copied, so every score sees the same ones in the same order.
      const batches = [...iter].map(
        (b) =>
          new DataBatch([b.data[0]!.copy()], [b.label[0]!.copy()], {
            bucketKey: b.bucketKey,
            provideData: b.provideData,
            provideLabel: b.provideLabel,
          }),
      );
      const score = (mod: BucketingModule): number => {
        const [[, ppl]] = mod.score(new Replay(batches, iter), new Perplexity(0)) as [[string, number]];
        return ppl;
      };
      const want = score(reference);
      expect(layer0Products()).toEqual({ table: 0, rows: batches.length });
      // The first score binds the buckets other than the default one, which touches the shared parameters
      // (a write, for the kept copies); it folds once the rows projected since reach VOCAB.
      const first = score(folded);
      expect(layer0Products().table).toBeGreaterThan(0);
      nd.setGemmBackend('onednn'); // forgets the counts
      const second = score(folded); // every bucket reads the one kept table: no product of layer 0's shape
      expect(layer0Products()).toEqual({ table: 0, rows: 0 });
      expect(first).toBeCloseTo(want, 5);
      expect(second).toBeCloseTo(want, 5);
    } finally {
      for (const m of modules) m.dispose();
    }
  });
});
