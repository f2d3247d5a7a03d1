// Pronounceable made-up words, drawn from a seeded generator out of English-like syllables (onset,
// vowel, coda) with a suffix typical of the word class, so that "the grundel slimpered a vorish
// tandle" reads like English without copying any word list. Shorter words take the frequent Zipf
// ranks, as in natural languages (Zipf's law of abbreviation).

import { ValueError } from '@bkt/ndarray';
import type { Rng } from './rng.js';

/** How one word class's words look. */
export interface WordStyle {
  /** Fewest and most syllables of the stem. */
  readonly syllables: readonly [number, number];
  /** One of these is appended to every stem ('' for none). */
  readonly suffixes: readonly string[];
}

// Repeats weight the common sounds.
const ONSETS = [
  '',
  '',
  'b',
  'b',
  'c',
  'd',
  'd',
  'f',
  'g',
  'h',
  'j',
  'k',
  'l',
  'l',
  'm',
  'm',
  'n',
  'n',
  'p',
  'p',
  'r',
  'r',
  's',
  's',
  't',
  't',
  'v',
  'w',
  'z',
  'bl',
  'br',
  'ch',
  'cl',
  'cr',
  'dr',
  'fl',
  'fr',
  'gl',
  'gr',
  'pl',
  'pr',
  'sc',
  'sh',
  'sk',
  'sl',
  'sm',
  'sn',
  'sp',
  'st',
  'str',
  'sw',
  'th',
  'tr',
  'tw',
  'wh',
];
const VOWELS = ['a', 'a', 'a', 'e', 'e', 'e', 'i', 'i', 'o', 'o', 'u', 'u', 'ai', 'ea', 'ee', 'oa', 'oo', 'ou', 'ie'];
const FINAL_CODAS = [
  '',
  '',
  '',
  'b',
  'ck',
  'd',
  'g',
  'l',
  'm',
  'n',
  'n',
  'nd',
  'ng',
  'nk',
  'nt',
  'p',
  'r',
  'r',
  'rk',
  'rn',
  'rt',
  's',
  'sh',
  'st',
  't',
  't',
  'th',
  'x',
];
const INNER_CODAS = ['', '', '', '', 'l', 'm', 'n', 'n', 'r', 'r', 's'];
const CONSONANT_ONSETS = ONSETS.filter((o) => o !== '');
const LINKS = ['l', 'n', 'r', 't'];
const MAX_LETTERS = 13;
const endsInVowel = (w: string): boolean => /[aeiouy]$/.test(w);

const pick = (rng: Rng, xs: readonly string[]): string => xs[rng.int(xs.length)]!;

function makeWord(rng: Rng, style: WordStyle): string {
  const [lo, hi] = style.syllables;
  const n = lo + rng.int(hi - lo + 1);
  let w = '';
  for (let i = 0; i < n; i++) {
    // A vowel meeting a vowel across a syllable or suffix boundary would read as one long vowel run.
    const onset = endsInVowel(w) ? pick(rng, CONSONANT_ONSETS) : pick(rng, ONSETS);
    w += onset + pick(rng, VOWELS) + pick(rng, i === n - 1 ? FINAL_CODAS : INNER_CODAS);
  }
  const suffix = pick(rng, style.suffixes);
  return w + (endsInVowel(w) && /^[aeiou]/.test(suffix) ? pick(rng, LINKS) : '') + suffix;
}

/**
 * Draws `count` distinct words in `style` that are not in `taken` (which receives them), ordered by
 * length (shortest first, ties in drawing order) so that rank 1 is the shortest.
 */
export function makeWords(rng: Rng, style: WordStyle, count: number, taken: Set<string>): string[] {
  const words: string[] = [];
  let attempts = 0;
  while (words.length < count) {
    if (++attempts > 200 * count + 1000) {
      throw new ValueError(
        `makeWords: cannot draw ${count} distinct words with ${style.syllables.join('-')} syllables; ask for fewer words`,
      );
    }
    const w = makeWord(rng, style);
    if (w.length > MAX_LETTERS || w.length < 2 || taken.has(w)) continue;
    taken.add(w);
    words.push(w);
  }
  return words
    .map((w, i) => [w, i] as const)
    .sort((x, y) => x[0].length - y[0].length || x[1] - y[1])
    .map(([w]) => w);
}
