import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValueError } from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAIN_SENTENCES, generateCorpus, Rng, sourceStatistics, writeCorpus } from '../src/corpus/index.js';

const words = (sentences: readonly string[]): number => sentences.reduce((acc, s) => acc + s.split(' ').length, 0);

describe('generateCorpus', () => {
  const small = generateCorpus({ seed: 42, sentences: 2000, vocabSize: 800 });

  it('is deterministic for a seed and differs between seeds', () => {
    const again = generateCorpus({ seed: 42, sentences: 2000, vocabSize: 800 });
    expect(again.train).toEqual(small.train);
    expect(again.valid).toEqual(small.valid);
    expect(again.vocab).toEqual(small.vocab);
    const other = generateCorpus({ seed: 43, sentences: 2000, vocabSize: 800 });
    expect(other.train.slice(0, 20)).not.toEqual(small.train.slice(0, 20));
    expect(other.vocab).not.toEqual(small.vocab);
  });

  it('keeps the validation set when only the number of training sentences changes', () => {
    const more = generateCorpus({ seed: 42, sentences: 3000, validSentences: 200, vocabSize: 800 });
    expect(more.valid).toEqual(small.valid);
    expect(more.train.slice(0, 2000)).toEqual(small.train);
  });

  it('draws sentences of at least three words from its vocabulary of distinct lowercase words', () => {
    expect(small.train.length).toBe(2000);
    expect(small.valid.length).toBe(200);
    expect(small.vocab.length).toBe(800);
    expect(new Set(small.vocab).size).toBe(800);
    expect(small.vocab.every((w) => /^[a-z]{2,13}$/.test(w))).toBe(true);
    const vocab = new Set(small.vocab);
    for (const s of [...small.train, ...small.valid]) {
      const ws = s.split(' ');
      expect(ws.length).toBeGreaterThanOrEqual(3);
      expect(ws.every((w) => vocab.has(w))).toBe(true);
    }
  });

  it('reports the exact floor and the true model perplexity of its validation set', () => {
    const stats = sourceStatistics(small.source);
    expect(small.floorPpl).toBe(stats.floorPpl);
    expect(small.validFloorPpl).toBe(small.source.perplexity(small.valid));
    // 200 sentences: about 3k tokens, a standard error near 0.07 nats.
    expect(Math.abs(Math.log(small.validFloorPpl / small.floorPpl))).toBeLessThan(0.2);
  });

  it('makes a default epoch of 300k-600k tokens over a 2000-word vocabulary', () => {
    const c = generateCorpus({ seed: 1 });
    expect(c.train.length).toBe(DEFAULT_TRAIN_SENTENCES);
    expect(c.vocab.length).toBe(2000);
    const tokens = words(c.train);
    expect(tokens).toBeGreaterThan(300_000);
    expect(tokens).toBeLessThan(600_000);
    expect(c.floorPpl).toBeGreaterThan(20);
    expect(c.floorPpl).toBeLessThan(200);
    expect(Math.abs(Math.log(c.validFloorPpl / c.floorPpl))).toBeLessThan(0.06);
  });

  it('rejects bad counts', () => {
    expect(() => generateCorpus({ seed: 1, sentences: 0 })).toThrow(ValueError);
    expect(() => generateCorpus({ seed: 1, sentences: 10, validSentences: 2.5 })).toThrow(ValueError);
    expect(() => generateCorpus({ seed: 1, sentences: 10, vocabSize: 5 })).toThrow(ValueError);
  });
});

describe('writeCorpus', () => {
  it('writes train.txt and valid.txt, one sentence a line, leaving no temporary file', () => {
    const c = generateCorpus({ seed: 5, sentences: 50, vocabSize: 300 });
    const dir = join(mkdtempSync(join(tmpdir(), 'bkt-corpus-')), 'nested');
    const paths = writeCorpus(dir, c);
    expect(readFileSync(paths.train, 'utf8')).toBe(`${c.train.join('\n')}\n`);
    expect(readFileSync(paths.valid, 'utf8').split('\n').slice(0, -1)).toEqual(c.valid);
    expect(readdirSync(dir).sort()).toEqual(['train.txt', 'valid.txt']);
  });

  it('fails with a ValueError naming the path when it cannot write', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bkt-corpus-')), 'plain-file');
    writeFileSync(file, 'x');
    expect(() => writeCorpus(file, { train: ['a b c'], valid: ['a b c'] })).toThrow(ValueError);
    expect(() => writeCorpus(file, { train: ['a b c'], valid: ['a b c'] })).toThrow(
      /writeCorpus: cannot write into '.*plain-file': '.*plain-file' is not a folder/,
    );
    expect(existsSync(join(file, 'train.txt'))).toBe(false);
  });
});

describe('Rng', () => {
  it('repeats for a (seed, stream) and gives uniform floats in [0, 1)', () => {
    const a = new Rng(9, 1);
    const b = new Rng(9, 1);
    const c = new Rng(9, 2);
    const xs = Array.from({ length: 20_000 }, () => a.next());
    expect(Array.from({ length: 20_000 }, () => b.next())).toEqual(xs);
    expect(c.next()).not.toBe(xs[0]);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i++) counts[a.int(10)]! += 1;
    expect(Math.min(...counts)).toBeGreaterThan(850);
  });
});
