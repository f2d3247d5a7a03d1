// Greedy and beam-search decoding with the training symbol on a BucketingModule bound for
// inference. A source of length n runs in bucket [S, T]: S the smallest source bucket of the grid
// that holds it (n itself past the grid, bound on the fly), T = ceil(S · maxLengthRatio) + 1, so
// every source bucket has one executor, reused by every batch and step. Each step feeds BOS and the
// tokens chosen so far and reads the output at the next position: the decoder is causal, so the
// positions after it (padding) change nothing there (see model.ts).
// Beam search keeps `beamSize` live hypotheses per sentence (rows i·beamSize + k); a hypothesis
// that ends (EOS) is set aside; the best finished one by score / lp(length) wins, with GNMT's length
// penalty lp = ((5 + length) / 6)^lengthPenalty (0: none), length counting the EOS, as Sockeye does.

import { BucketingModule, DataBatch, DataDesc, type ParamDict } from '@bkt/module';
import { array, type NDArray, ValueError } from '@bkt/ndarray';
import { DATA_NAMES, LABEL_NAMES, PAD_ID, type Seq2SeqSymGen } from './model.js';

export interface DecodeOptions {
  /** 1: greedy. Default 1. */
  beamSize?: number;
  /** GNMT length-penalty exponent; 0 scores by the plain log-probability. Default 1. */
  lengthPenalty?: number;
}

export interface TranslatorOptions {
  symGen: Seq2SeqSymGen;
  argParams: ParamDict;
  auxParams: ParamDict;
  /** The training grid's source boundaries (ascending). */
  sourceBuckets: readonly number[];
  bosId: number;
  eosId: number;
  /** Rows of the bound executors: batchRows / beamSize sentences are decoded together. Default 128. */
  batchRows?: number;
  /** Longest output: ceil(S · ratio) tokens. Default 1.5. */
  maxLengthRatio?: number;
}

interface Hypothesis {
  tokens: number[];
  /** Sum of the tokens' log-probabilities. */
  score: number;
}

const penalized = (h: Hypothesis, alpha: number): number => h.score / ((5 + h.tokens.length) / 6) ** alpha;

/** Decodes batches of encoded sources with a trained encoder–decoder. */
export class Translator {
  private readonly mod: BucketingModule;
  private readonly rows: number;
  private readonly ratio: number;
  private readonly buckets: readonly number[];
  private readonly bos: number;
  private readonly eos: number;

  constructor(o: TranslatorOptions) {
    this.rows = o.batchRows ?? 128;
    this.ratio = o.maxLengthRatio ?? 1.5;
    if (!Number.isInteger(this.rows) || this.rows < 1)
      throw new ValueError(`Translator: batchRows must be a positive integer, got ${this.rows}`);
    if (!(this.ratio > 0 && Number.isFinite(this.ratio)))
      throw new ValueError(`Translator: maxLengthRatio must be a positive number, got ${this.ratio}`);
    if (o.sourceBuckets.length === 0) throw new ValueError('Translator: sourceBuckets is empty');
    this.buckets = [...o.sourceBuckets].sort((a, b) => a - b);
    this.bos = o.bosId;
    this.eos = o.eosId;
    const key = this.keyFor(this.buckets[this.buckets.length - 1]!);
    this.mod = new BucketingModule(o.symGen, { defaultBucketKey: key, logger: () => undefined });
    const [data, label] = this.descs(key);
    this.mod.bind(data, label, { forTraining: false });
    this.mod.setParams(o.argParams, o.auxParams);
  }

  /** The bucket key a source of length n decodes in. */
  keyFor(n: number): [number, number] {
    const S = this.buckets.find((b) => b >= n) ?? n;
    return [S, Math.ceil(S * this.ratio) + 1];
  }

  private descs([S, T]: readonly [number, number]): [DataDesc[], DataDesc[]] {
    const shapes = [[this.rows, S], [this.rows], [this.rows, T]];
    return [
      DATA_NAMES.map((n, i) => new DataDesc(n, shapes[i]!, 'float32', i === 1 ? 'N' : 'NT')),
      [new DataDesc(LABEL_NAMES[0], [this.rows, T], 'float32', 'NT')],
    ];
  }

  /** Translations (token ids, without BOS/EOS) of `sources`, in order. */
  translate(sources: readonly (readonly number[])[], opts: DecodeOptions = {}): number[][] {
    const beam = opts.beamSize ?? 1;
    const alpha = opts.lengthPenalty ?? 1;
    if (!Number.isInteger(beam) || beam < 1 || beam > this.rows)
      throw new ValueError(`translate: beamSize must be an integer in [1, ${this.rows}] (batchRows), got ${beam}`);
    if (!(alpha >= 0 && Number.isFinite(alpha)))
      throw new ValueError(`translate: lengthPenalty must be a non-negative number, got ${alpha}`);
    sources.forEach((s, i) => {
      if (s.length === 0) throw new ValueError(`translate: source ${i} is empty`);
    });
    // sentences of one bucket together, so each batch runs in the smallest executor that holds it
    const order = [...sources.keys()].sort(
      (a, b) => this.keyFor(sources[a]!.length)[0] - this.keyFor(sources[b]!.length)[0] || a - b,
    );
    const out: number[][] = new Array(sources.length);
    const perBatch = Math.floor(this.rows / beam);
    for (let at = 0; at < order.length; ) {
      const key = this.keyFor(sources[order[at]!]!.length);
      const group: number[] = [];
      while (at < order.length && group.length < perBatch && this.keyFor(sources[order[at]!]!.length)[0] === key[0])
        group.push(order[at++]!);
      const best = this.decodeBatch(
        group.map((i) => sources[i]!),
        key,
        beam,
        alpha,
      );
      group.forEach((i, k) => (out[i] = best[k]!));
    }
    return out;
  }

  private decodeBatch(batch: readonly (readonly number[])[], key: [number, number], beam: number, alpha: number): number[][] {
    const [S, T] = key;
    const R = this.rows;
    const src = new Float64Array(R * S).fill(PAD_ID);
    const len = new Float64Array(R).fill(batch[0]!.length);
    batch.forEach((s, i) => {
      for (let k = 0; k < beam; k++) {
        src.set(s, (i * beam + k) * S);
        len[i * beam + k] = s.length;
      }
    });
    const owned: NDArray[] = [array(src, { shape: [R, S], dtype: 'float32' }), array(len, { shape: [R], dtype: 'float32' })];
    const [data, label] = this.descs(key);
    const labelArray = array(new Float64Array(R * T), { shape: [R, T], dtype: 'float32' });
    owned.push(labelArray);
    const live: Hypothesis[][] = batch.map(() => [{ tokens: [], score: 0 }]);
    const done: Hypothesis[][] = batch.map(() => []);
    try {
      for (let t = 0; t < T - 1 && live.some((l, i) => l.length > 0 && done[i]!.length < beam); t++) {
        const input = new Float64Array(R * T).fill(PAD_ID);
        live.forEach((hyps, i) =>
          hyps.forEach((h, k) => {
            const row = (i * beam + k) * T;
            input[row] = this.bos;
            input.set(h.tokens, row + 1);
          }),
        );
        const target = array(input, { shape: [R, T], dtype: 'float32' });
        try {
          this.mod.forward(
            new DataBatch([owned[0]!, owned[1]!, target], [labelArray], {
              bucketKey: key,
              provideData: data,
              provideLabel: label,
            }),
            { isTrain: false },
          );
        } finally {
          target.dispose();
        }
        const probs = (this.mod.getOutputs() as NDArray[])[0]!.toTypedArray() as Float32Array;
        const V = probs.length / (R * T);
        live.forEach((hyps, i) => {
          if (done[i]!.length >= beam) return;
          const cands: Hypothesis[] = [];
          hyps.forEach((h, k) => {
            const at = ((i * beam + k) * T + t) * V;
            for (const tok of topK(probs, at, V, beam))
              cands.push({ tokens: [...h.tokens, tok], score: h.score + Math.log(probs[at + tok]!) });
          });
          cands.sort((a, b) => b.score - a.score);
          const next: Hypothesis[] = [];
          for (const c of cands) {
            if (next.length === beam || done[i]!.length >= beam) break;
            if (c.tokens[c.tokens.length - 1] === this.eos) done[i]!.push(c);
            else next.push(c);
          }
          live[i] = next;
        });
      }
    } finally {
      for (const a of owned) a.dispose();
    }
    return batch.map((_, i) => {
      const pool = done[i]!.length > 0 ? done[i]! : live[i]!;
      const best = pool.reduce((a, b) => (penalized(b, alpha) > penalized(a, alpha) ? b : a));
      return best.tokens[best.tokens.length - 1] === this.eos ? best.tokens.slice(0, -1) : best.tokens;
    });
  }

  dispose(): void {
    this.mod.dispose();
  }
}

// The k most probable tokens of probs[at, at + V), most probable first (ties to the lower id).
function topK(probs: Float32Array, at: number, V: number, k: number): number[] {
  const best: number[] = [];
  for (let v = 0; v < V; v++) {
    const p = probs[at + v]!;
    if (best.length === k && p <= probs[at + best[k - 1]!]!) continue;
    let j = Math.min(best.length, k - 1);
    if (best.length < k) best.push(v);
    while (j > 0 && probs[at + best[j - 1]!]! < p) {
      best[j] = best[j - 1]!;
      j--;
    }
    best[j] = v;
  }
  return best;
}
