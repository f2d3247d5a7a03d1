import { ValueError } from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';
import { STATES, START_STATE, WORD_CLASSES, ZIPF_EXPONENT } from '../src/corpus/grammar.js';
import { lengthDistribution, Rng, Source, sourceStatistics } from '../src/corpus/index.js';

const source = new Source({ seed: 7 });
const stats = sourceStatistics(source);

// Each sentence's log-loss and predicted-token count (one per word: words 2..n plus the end).
function sampleLosses(src: Source, rng: Rng, minTokens: number): { loss: number[]; tokens: number[] } {
  const loss: number[] = [];
  const tokens: number[] = [];
  let total = 0;
  while (total < minTokens) {
    const words = src.sample(rng);
    loss.push(-src.logProb(words));
    tokens.push(words.length);
    total += words.length;
  }
  return { loss, tokens };
}

describe('the exact entropy floor', () => {
  it('matches the Monte-Carlo log-loss of 1M sampled tokens under the true model', () => {
    const { loss, tokens } = sampleLosses(source, new Rng(11, 5), 1_000_000);
    const m = loss.length;
    const sumLoss = loss.reduce((a, b) => a + b, 0);
    const sumTok = tokens.reduce((a, b) => a + b, 0);
    const mean = sumLoss / sumTok;
    // Standard error of a ratio of sums over independent sentences (delta method).
    const meanTok = sumTok / m;
    const resid = loss.reduce((acc, l, i) => acc + (l - mean * tokens[i]!) ** 2, 0) / (m - 1);
    const se = Math.sqrt(resid / m) / meanTok;
    expect(se).toBeLessThan(0.0025);
    expect(Math.abs(mean - stats.entropyRate)).toBeLessThan(4 * se);
    // Tight enough to tell the floor from the one that also predicts the first word.
    const start = source.states[source.startState]!;
    const firstWord = stats.stateEntropy[source.startState]!;
    const withFirst = (stats.entropyRate * stats.meanLength + firstWord) / (stats.meanLength + 1);
    expect(start.moves.size).toBeGreaterThan(1);
    expect(Math.abs(withFirst - stats.entropyRate)).toBeGreaterThan(8 * se);
    expect(Math.abs(sumTok / m - stats.meanLength)).toBeLessThan(0.2);
  });

  it('gives the exact sentence-length distribution of the sampler (chi-square)', () => {
    const dist = lengthDistribution(source);
    const rng = new Rng(3, 9);
    const n = 20_000;
    const hist = new Array<number>(dist.length + 1).fill(0);
    for (let i = 0; i < n; i++) hist[Math.min(source.sample(rng).length, dist.length)]! += 1;
    // Bins with at least 5 expected sentences; the tail beyond the last one is pooled.
    let chi2 = 0;
    let bins = 0;
    let restExp = n;
    let restObs = n;
    for (let k = 0; k < dist.length; k++) {
      const e = n * dist[k]!;
      if (e < 5) continue;
      chi2 += (hist[k]! - e) ** 2 / e;
      bins += 1;
      restExp -= e;
      restObs -= hist[k]!;
    }
    chi2 += (restObs - restExp) ** 2 / restExp;
    const df = bins;
    // Wilson–Hilferty 0.1% critical value.
    const crit = df * (1 - 2 / (9 * df) + 3.09 * Math.sqrt(2 / (9 * df))) ** 3;
    expect(df).toBeGreaterThan(30);
    expect(chi2).toBeLessThan(crit);
  });

  it('has a long-tailed length histogram: mostly 8–30 words, some 3, a few past 50', () => {
    const dist = lengthDistribution(source);
    const mass = (lo: number, hi: number): number => dist.slice(lo, hi + 1).reduce((a, b) => a + b, 0);
    expect(mass(0, 2)).toBe(0);
    expect(dist[3]).toBeGreaterThan(0.005);
    expect(mass(8, 30)).toBeGreaterThan(0.7);
    expect(mass(51, dist.length)).toBeGreaterThan(2e-4);
    expect(mass(0, dist.length)).toBeCloseTo(1, 10);
  });

  it('agrees between the linear solve and the forward recursion on the mean length', () => {
    const dist = lengthDistribution(source);
    const mean = dist.reduce((acc, p, k) => acc + p * k, 0);
    expect(mean).toBeCloseTo(stats.meanLength, 8);
    expect(stats.floorPpl).toBeCloseTo(Math.exp(stats.entropyRate), 10);
  });

  it('reaches every state of the grammar', () => {
    stats.visits.forEach((v, s) => {
      if (s !== source.startState) expect(v, source.states[s]!.name).toBeGreaterThan(1e-4);
    });
  });
});

describe('Source.logProb', () => {
  // The probability of a word of rank r (0-based) among n by Zipf's law, written out independently.
  const zipf = (r: number, n: number): number => {
    let z = 0;
    for (let i = 1; i <= n; i++) z += 1 / i ** ZIPF_EXPONENT;
    return 1 / (r + 1) ** ZIPF_EXPONENT / z;
  };
  const classOf = (w: string): number => source.classWords.findIndex((ws) => ws.includes(w));

  it('scores words 2..n and the end by walking the grammar table', () => {
    const rng = new Rng(5, 1);
    for (let t = 0; t < 20; t++) {
      const words = source.sample(rng);
      let state = START_STATE;
      let expected = 0;
      words.forEach((w, i) => {
        const cls = classOf(w);
        const move = STATES[state]!.find((mv) => mv[0] === WORD_CLASSES[cls])!;
        if (i > 0)
          expected += Math.log(move[1]) + Math.log(zipf(source.classWords[cls]!.indexOf(w), source.classWords[cls]!.length));
        state = move[2]!;
      });
      expected += Math.log(STATES[state]!.find((mv) => mv[0] === 'end')![1]);
      expect(source.logProb(words)).toBeCloseTo(expected, 9);
      expect(source.logProb(words.join(' '))).toBe(source.logProb(words));
    }
  });

  it('never scores the first word', () => {
    const rng = new Rng(8, 1);
    let words = source.sample(rng);
    while (classOf(words[0]!) !== WORD_CLASSES.indexOf('det')) words = source.sample(rng);
    const [a, b] = source.classWords[WORD_CLASSES.indexOf('det')]!;
    expect(source.logProb([a!, ...words.slice(1)])).toBe(source.logProb([b!, ...words.slice(1)]));
  });

  it('gives -Infinity to sentences the grammar cannot produce and rejects unknown words', () => {
    const det = source.classWords[WORD_CLASSES.indexOf('det')]!;
    const noun = source.classWords[WORD_CLASSES.indexOf('noun')]!;
    expect(source.logProb([det[0]!, det[1]!, noun[0]!])).toBe(-Infinity);
    expect(source.logProb([det[0]!, noun[0]!])).toBe(-Infinity);
    expect(() => source.logProb(['no-such-word'])).toThrow(ValueError);
    expect(() => source.logProb('')).toThrow(ValueError);
  });

  it('gives the perplexity of a set as exp(mean log-loss per word)', () => {
    const rng = new Rng(2, 2);
    const set = Array.from({ length: 50 }, () => source.sample(rng));
    const nll = set.reduce((acc, s) => acc - source.logProb(s), 0);
    const n = set.reduce((acc, s) => acc + s.length, 0);
    expect(source.perplexity(set)).toBeCloseTo(Math.exp(nll / n), 9);
  });
});

describe('Source', () => {
  it('rejects vocabulary sizes it cannot build', () => {
    expect(() => new Source({ seed: 1, vocabSize: 10 })).toThrow(ValueError);
    expect(() => new Source({ seed: 1, vocabSize: 2000.5 })).toThrow(ValueError);
    expect(() => new Source({ seed: 1.5 })).toThrow(ValueError);
  });

  it('splits every vocabulary size exactly among the classes, each word in one class', () => {
    for (const vocabSize of [64, 500, 2000, 5000]) {
      const src = new Source({ seed: 3, vocabSize });
      expect(src.vocab.length).toBe(vocabSize);
      expect(new Set(src.vocab).size).toBe(vocabSize);
      expect(src.classWords.every((ws) => ws.length > 0)).toBe(true);
    }
  });
});
