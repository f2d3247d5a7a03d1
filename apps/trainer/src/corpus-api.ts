// STAND-IN for the built-in corpus (apps/trainer/src/corpus/, written by another engineer). Once that
// lands, this whole file becomes `export { generateCorpus, chooseBuckets } from './corpus/index.js';`.
// Until then: a tiny source with an exact floor — every word has 8 successors (a deterministic
// function of the word) drawn with the same fixed probabilities, and the sentence ends after any word
// with probability END (successors distinct), so every predicted token (words 2..n and the end) has the same entropy H and
// the floor is exp(H). Buckets are length quantiles instead of the real padding-minimising choice.

import { mulberry32 } from './prng.js';

export interface GenerateCorpusOptions {
  seed: number;
  /** Training sentences (default 20000); validation gets a tenth as many. */
  sentences?: number;
  vocabSize?: number;
}

export interface Corpus {
  train: string[];
  valid: string[];
  /** The source's true per-token perplexity (the floor a model can reach). */
  floorPpl: number;
  vocab: string[];
}

const END = 0.08;
const NEXT_P = [0.4, 0.2, 0.12, 0.09, 0.07, 0.05, 0.04, 0.03];

function makeWord(i: number): string {
  const c = 'bdfgklmnprstvz';
  const v = 'aeiou';
  let s = '';
  let n = i + 1;
  do {
    s += c[n % c.length]! + v[Math.floor(n / c.length) % v.length]!;
    n = Math.floor(n / (c.length * v.length));
  } while (n > 0);
  return s;
}

/** STAND-IN: a deterministic corpus for `seed` with its exact floor perplexity. */
export function generateCorpus(opts: GenerateCorpusOptions): Corpus {
  const vocabSize = opts.vocabSize ?? 200;
  const rand = mulberry32(opts.seed);
  const vocab = Array.from({ length: vocabSize }, (_, i) => makeWord(i));
  const succ = vocab.map(() => {
    const next = new Set<number>();
    while (next.size < NEXT_P.length) next.add(Math.floor(rand() * vocabSize));
    return [...next];
  });
  const sentence = (): string => {
    let w = Math.floor(rand() * vocabSize);
    const words = [vocab[w]!];
    while (words.length < 60 && rand() >= END) {
      let u = rand();
      let k = 0;
      while (k < NEXT_P.length - 1 && u >= NEXT_P[k]!) u -= NEXT_P[k++]!;
      w = succ[w]![k]!;
      words.push(vocab[w]!);
    }
    return words.join(' ');
  };
  const count = opts.sentences ?? 20000;
  const train = Array.from({ length: count }, sentence);
  const valid = Array.from({ length: Math.max(1, Math.round(count / 10)) }, sentence);
  // (the 60-word cap cuts under 1% of sentences short, which the floor ignores)
  const h = -END * Math.log(END) - NEXT_P.reduce((s, p) => s + (1 - END) * p * Math.log((1 - END) * p), 0);
  return { train, valid, floorPpl: Math.exp(h), vocab };
}

/** STAND-IN: `numBuckets` length quantiles, the last one the longest length. */
export function chooseBuckets(lengths: number[], numBuckets: number): number[] {
  const sorted = [...lengths].sort((a, b) => a - b);
  const out = new Set<number>();
  for (let i = 1; i <= numBuckets; i++) out.add(sorted[Math.min(sorted.length - 1, Math.ceil((i * sorted.length) / numBuckets) - 1)]!);
  return [...out].sort((a, b) => a - b);
}
