import { ValueError } from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';
import { WORD_CLASSES, type WordClass } from '../src/corpus/grammar.js';
import { generateParallelCorpus } from '../src/corpus/parallel.js';
import { Source } from '../src/corpus/source.js';
import { TargetLanguage } from '../src/corpus/target-language.js';

const source = new Source({ seed: 3, vocabSize: 200 });
const target = new TargetLanguage(source, 3);
const cls = (c: WordClass): number => WORD_CLASSES.indexOf(c);
const word = (c: WordClass, rank: number): string => source.classWords[cls(c)]![rank]!;
const stem = (c: WordClass, rank: number): string => target.stems[cls(c)]![rank]!;

describe('TargetLanguage', () => {
  it('moves a transitive verb after its object (with the object marker) and inflects determiners, adjectives and verbs', () => {
    // "det noun verbT det adj noun": subject rank 2 (gender 0), object noun rank 5 (gender 1)
    const s = [word('det', 0), word('noun', 2), word('verbT', 1), word('det', 3), word('adj', 4), word('noun', 5)];
    expect(target.translate(s)).toEqual([
      `${stem('det', 0)}e`,
      stem('noun', 2),
      `${stem('det', 3)}i`,
      `${stem('adj', 4)}u`,
      stem('noun', 5),
      target.objectMarker,
      `${stem('verbT', 1)}ti`,
    ]);
  });

  it('turns a preposition into a postposition and makes the verb agree with a pronoun subject', () => {
    const s = [word('pron', 1), word('verbI', 0), word('prep', 2), word('name', 4)];
    expect(target.translate(s.join(' '))).toEqual([stem('pron', 1), `${stem('verbI', 0)}ko`, stem('name', 4), stem('prep', 2)]);
  });

  it('gives distinct source words distinct target words, and every translation a word more per transitive verb', () => {
    const forms = new Set(target.vocab);
    expect(forms.size).toBe(target.vocab.length);
    const c = generateParallelCorpus({ seed: 3, sentences: 300, vocabSize: 200 });
    const verbsT = new Set(source.classWords[cls('verbT')]);
    for (const p of c.train) {
      expect(p.target.length).toBe(p.source.length + p.source.filter((w) => verbsT.has(w)).length);
      for (const w of p.target) expect(forms.has(w)).toBe(true);
    }
  });

  it('refuses words outside the vocabulary and sentences the grammar cannot produce or end', () => {
    expect(() => target.translate('zzzz')).toThrow(ValueError);
    expect(() => target.translate([word('noun', 0), word('det', 0)])).toThrow(/cannot produce word 1/);
    expect(() => target.translate([word('det', 0), word('noun', 0)])).toThrow(/unfinished/);
    expect(() => target.translate('')).toThrow(/empty/);
  });
});

describe('generateParallelCorpus', () => {
  it('is deterministic, keeps held-out sets independent of the training size, and caps the length', () => {
    const a = generateParallelCorpus({ seed: 5, sentences: 200, maxLength: 8 });
    const b = generateParallelCorpus({ seed: 5, sentences: 200, maxLength: 8 });
    const c = generateParallelCorpus({ seed: 5, sentences: 400, heldOutSentences: 20, maxLength: 8 });
    expect(b.train).toEqual(a.train);
    expect(c.valid).toEqual(a.valid);
    expect(c.test).toEqual(a.test);
    expect(a.valid).not.toEqual(a.test);
    expect(Math.max(...a.train.map((p) => p.source.length))).toBeLessThanOrEqual(8);
    expect(a.train.length).toBe(200);
  });

  it('validates its options', () => {
    expect(() => generateParallelCorpus({ seed: 1, sentences: 0 })).toThrow(ValueError);
    expect(() => generateParallelCorpus({ seed: 1, maxLength: 2 })).toThrow(/maxLength/);
    expect(() => generateParallelCorpus({ seed: 1, heldOutSentences: 1.5 })).toThrow(/heldOutSentences/);
  });
});
