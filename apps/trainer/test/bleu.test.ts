import { ValueError } from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';
import { corpusBleu, exactMatch, tokenize13a } from '../src/bleu.js';

describe('tokenize13a', () => {
  it('splits punctuation as mteval-v13a does (periods and commas kept between digits)', () => {
    expect(tokenize13a('Hello, world!')).toBe('Hello , world !');
    expect(tokenize13a('It costs $3.50, or 3,000 yen.')).toBe('It costs $ 3.50 , or 3,000 yen .');
    expect(tokenize13a('pages 1-2 (see &amp; "x")')).toBe('pages 1 - 2 ( see & " x " )');
    expect(tokenize13a('a-b c.d e,')).toBe('a-b c . d e ,');
  });
});

describe('corpusBleu', () => {
  it('is 100 for identical text and 0 with no matching unigram', () => {
    expect(corpusBleu(['a b c d e'], [['a b c d e']]).score).toBeCloseTo(100, 10);
    expect(corpusBleu(['x y z'], [['a b c']]).score).toBe(0);
  });

  it('matches hand-computed geometric means of the n-gram precisions', () => {
    // p = 4/5, 3/4, 2/3, 1/2
    expect(corpusBleu(['a b c d e'], [['a b c d f']]).score).toBeCloseTo(
      100 * (((((((4 / 5) * 3) / 4) * 2) / 3) * 1) / 2) ** 0.25,
      10,
    );
    // no 4-gram matches: 'exp' smoothing gives it 1 / (2 · 1 4-gram)
    expect(corpusBleu(['a b c x'], [['a b c y']]).score).toBeCloseTo(
      100 * (((((((3 / 4) * 2) / 3) * 1) / 2) * 1) / 2) ** 0.25,
      10,
    );
    // p4 = 1 / (2 · 3) after smoothing
    expect(corpusBleu(['the cat sat on the mat'], [['the cat is on the mat']]).score).toBeCloseTo(
      100 * (((((((5 / 6) * 3) / 5) * 1) / 4) * 1) / 6) ** 0.25,
      10,
    );
  });

  it('gives 0 when the hypotheses have no 4-grams at all, with the brevity penalty computed', () => {
    const b = corpusBleu(['a b c'], [['a b c d e f']]);
    expect(b.score).toBe(0);
    expect(b.brevityPenalty).toBeCloseTo(Math.exp(1 - 6 / 3), 12);
  });

  it("reproduces sacreBLEU's published two-reference example (48.53, 82.4/50.0/45.5/37.5, BP 0.943)", () => {
    const refs = [
      ['The dog bit the man.', 'It was not unexpected.', 'The man bit him first.'],
      ['The dog had bit the man.', 'No one was surprised.', 'The man had bitten the dog.'],
    ];
    const sys = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.'];
    const b = corpusBleu(sys, refs);
    expect(b.score).toBeCloseTo(48.530827009929865, 9);
    expect(b.correct).toEqual([14, 7, 5, 3]);
    expect(b.total).toEqual([17, 14, 11, 8]);
    expect([b.sysLen, b.refLen]).toEqual([17, 18]);
  });

  it('clips repeated n-grams and sums statistics over the corpus (value from sacreBLEU 2.6.0)', () => {
    const b = corpusBleu(['the the the the', 'a b c d e f g'], [['the cat the mat', 'a b c d e f h i']]);
    expect(b.correct).toEqual([8, 5, 4, 3]);
    expect(b.score).toBeCloseTo(55.70615497923385, 9);
  });

  it('rejects mismatched stream lengths and no references', () => {
    expect(() => corpusBleu(['a'], [['a', 'b']])).toThrow(ValueError);
    expect(() => corpusBleu(['a'], [])).toThrow(/no reference/);
  });
});

describe('exactMatch', () => {
  it('counts hypotheses equal to their reference after tokenization', () => {
    expect(exactMatch(['a b', 'c  d', 'e.'], ['a b', 'c d', 'e f'])).toBeCloseTo(2 / 3, 12);
    expect(() => exactMatch([], [])).toThrow(ValueError);
    expect(() => exactMatch(['a'], ['a', 'b'])).toThrow(/2 references for 1/);
  });
});
