// The built-in corpus's stochastic grammar: a probabilistic finite-state machine over grammatical
// positions. Each state draws a word class (or the end of the sentence) with fixed probabilities,
// then a word of that class from the class's Zipf-distributed vocabulary, and moves to a state fixed
// by (state, class). Every word belongs to exactly one class, so the state after any prefix is a
// function of the words: the source's conditional distribution of the next token given the history
// is the current state's, which is what makes its entropy rate exactly computable (see entropy.ts).
//
// Shape of a sentence: [adverb] subject verb [object] (prepositional phrase | adverb)* with relative
// clauses ("that ...") on nouns and clauses or verb phrases joined by conjunctions. An intransitive
// verb never ends a sentence, so the shortest sentences have three words ("she slept badly").
// The loops (adjectives, chained prepositional phrases, conjunctions, relative clauses) give the
// length histogram its long tail.

import type { WordStyle } from './words.js';

export const WORD_CLASSES = ['det', 'pron', 'name', 'noun', 'adj', 'verbT', 'verbI', 'adv', 'prep', 'conj', 'rel'] as const;
export type WordClass = (typeof WORD_CLASSES)[number];

/** How many words a closed class has, whatever the vocabulary size. */
export const CLOSED_CLASS_SIZES: Readonly<Partial<Record<WordClass, number>>> = { det: 10, pron: 8, prep: 16, conj: 5, rel: 3 };
/** The share of the remaining (open-class) vocabulary each open class gets. */
export const OPEN_CLASS_SHARES: Readonly<Partial<Record<WordClass, number>>> = {
  noun: 0.42,
  adj: 0.22,
  verbT: 0.15,
  verbI: 0.09,
  adv: 0.07,
  name: 0.05,
};

const one: WordStyle = { syllables: [1, 1], suffixes: [''] };
export const WORD_STYLES: Readonly<Record<WordClass, WordStyle>> = {
  det: one,
  pron: one,
  prep: { syllables: [1, 2], suffixes: [''] },
  conj: one,
  rel: one,
  name: { syllables: [1, 2], suffixes: ['a', 'o', 'en', 'ia', 'ick', 'el', 'a', 'o'] },
  noun: { syllables: [1, 2], suffixes: ['', '', '', 'er', 'et', 'on', 'le', 'ment', 'ness', 'ery'] },
  adj: { syllables: [1, 2], suffixes: ['ous', 'ive', 'al', 'y', 'ful', 'ish', 'ic', 'ent', 'id', 'less'] },
  verbT: { syllables: [1, 2], suffixes: ['ed', 'ed', 'ed', 'es', 'ened'] },
  verbI: { syllables: [1, 2], suffixes: ['ed', 'ed', 'ed', 'es', 'ered'] },
  adv: { syllables: [1, 2], suffixes: ['ly', 'ly', 'ly', 'ily', 'ward'] },
};

/** The exponent of every class's Zipf distribution over its words. */
export const ZIPF_EXPONENT = 1;

/** One outcome of a state: a word of a class then a move to a state, or the end of the sentence. */
export type Move = readonly [WordClass, number, string] | readonly ['end', number];

export const START_STATE = 'start';

// A noun phrase's determiner and adjective positions; its head noun leads to `${p}N`, whose moves
// differ by role (subject, object, complement of a preposition) and are given separately.
function nounPhrase(p: string, adjAfterDet: number, adjAgain: number): Record<string, Move[]> {
  return {
    [`${p}Det`]: [
      ['adj', adjAfterDet, `${p}Adj`],
      ['noun', 1 - adjAfterDet, `${p}N`],
    ],
    [`${p}Adj`]: [
      ['adj', adjAgain, `${p}Adj`],
      ['noun', 1 - adjAgain, `${p}N`],
    ],
  };
}

interface NpWeights {
  det: number;
  adj: number;
  noun: number;
  name: number;
  pron: number;
}

// A noun phrase begun at a state: determiner, bare adjective, bare noun, name or pronoun.
function npStart(p: string, w: NpWeights, pronTo: string): Move[] {
  return [
    ['det', w.det, `${p}Det`],
    ['adj', w.adj, `${p}Adj`],
    ['noun', w.noun, `${p}N`],
    ['name', w.name, `${p}N`],
    ['pron', w.pron, pronTo],
  ];
}

/** How a clause ends or goes on after each position where it may end. */
interface ClauseEnding {
  /** [end, prep, conj, adv, rel] after an object noun. */
  readonly oN: readonly [number, number, number, number, number];
  /** [end, prep, conj, adv] after an object pronoun. */
  readonly oPron: readonly [number, number, number, number];
  /** [end, prep, conj] after a verb-phrase adverb. */
  readonly vAdv: readonly [number, number, number];
  /** [end, prep, conj, adv, rel] after the noun of a prepositional phrase. */
  readonly pN: readonly [number, number, number, number, number];
}

// The states of one clause, named with prefix `ph`. Its conjunctions lead to the conjunction state
// of phase `nextPh`, which begins a clause of that phase: the first clause of a sentence rarely ends early, later ones readily do, which
// gives the length histogram a mode instead of a geometric decay from the shortest sentence.
function clause(ph: string, nextPh: string, e: ClauseEnding): Record<string, Move[]> {
  const q = (name: string): string => `${ph}.${name}`;
  const conj = `${nextPh}.conj`;
  const verb = (t: number, i: number): Move[] => [
    ['verbT', t, q('vt')],
    ['verbI', i, q('vi')],
  ];
  return {
    // Subject.
    ...nounPhrase(q('s'), 0.4, 0.2),
    [q('sN')]: [...verb(0.42, 0.28), ['prep', 0.12, q('sp')], ['rel', 0.1, q('sRel')], ['adv', 0.08, q('sAdv')]],
    [q('sPron')]: [...verb(0.55, 0.35), ['adv', 0.1, q('sAdv')]],
    [q('sAdv')]: verb(0.6, 0.4),
    [q('sp')]: npStart(q('sp'), { det: 0.6, adj: 0.08, noun: 0.12, name: 0.15, pron: 0.05 }, q('spN')),
    ...nounPhrase(q('sp'), 0.3, 0.15),
    [q('spN')]: [...verb(0.5, 0.35), ['adv', 0.1, q('sAdv')], ['rel', 0.05, q('sRel')]],
    // A relative clause on the subject, after which the main verb comes.
    [q('sRel')]: [
      ['verbT', 0.6, q('rVt')],
      ['verbI', 0.4, q('rVi')],
    ],
    [q('rVt')]: npStart(q('ro'), { det: 0.6, adj: 0.05, noun: 0.1, name: 0.15, pron: 0.1 }, q('roN')),
    ...nounPhrase(q('ro'), 0.3, 0.15),
    [q('roN')]: [...verb(0.55, 0.35), ['adv', 0.1, q('sAdv')]],
    [q('rVi')]: [...verb(0.45, 0.3), ['adv', 0.25, q('sAdv')]],
    // The verb phrase.
    [q('vt')]: npStart(q('o'), { det: 0.55, adj: 0.08, noun: 0.1, name: 0.15, pron: 0.12 }, q('oPron')),
    [q('vi')]: [
      ['adv', 0.35, q('vAdv')],
      ['prep', 0.5, q('p')],
      ['conj', 0.15, conj],
    ],
    ...nounPhrase(q('o'), 0.4, 0.2),
    [q('oN')]: [
      ['end', e.oN[0]],
      ['prep', e.oN[1], q('p')],
      ['conj', e.oN[2], conj],
      ['adv', e.oN[3], q('vAdv')],
      ['rel', e.oN[4], q('oRel')],
    ],
    [q('oPron')]: [
      ['end', e.oPron[0]],
      ['prep', e.oPron[1], q('p')],
      ['conj', e.oPron[2], conj],
      ['adv', e.oPron[3], q('vAdv')],
    ],
    [q('oRel')]: verb(0.5, 0.5),
    [q('vAdv')]: [
      ['end', e.vAdv[0]],
      ['prep', e.vAdv[1], q('p')],
      ['conj', e.vAdv[2], conj],
    ],
    [q('p')]: npStart(q('p'), { det: 0.6, adj: 0.05, noun: 0.12, name: 0.15, pron: 0.08 }, q('pN')),
    ...nounPhrase(q('p'), 0.4, 0.2),
    [q('pN')]: [
      ['end', e.pN[0]],
      ['prep', e.pN[1], q('p')],
      ['conj', e.pN[2], conj],
      ['adv', e.pN[3], q('vAdv')],
      ['rel', e.pN[4], q('oRel')],
    ],
  };
}

// Clause phases: the first clause of a sentence rarely ends, the second often, the third and later
// ones mostly do.
const PHASES: readonly ClauseEnding[] = [
  { oN: [0.12, 0.38, 0.3, 0.1, 0.1], oPron: [0.1, 0.4, 0.35, 0.15], vAdv: [0.15, 0.45, 0.4], pN: [0.18, 0.32, 0.35, 0.05, 0.1] },
  { oN: [0.25, 0.35, 0.2, 0.1, 0.1], oPron: [0.35, 0.3, 0.2, 0.15], vAdv: [0.35, 0.35, 0.3], pN: [0.3, 0.32, 0.25, 0.05, 0.08] },
  { oN: [0.6, 0.2, 0.05, 0.07, 0.08], oPron: [0.7, 0.15, 0.05, 0.1], vAdv: [0.75, 0.2, 0.05], pN: [0.65, 0.2, 0.05, 0.04, 0.06] },
];

// After a conjunction: a new clause, or a second verb phrase of the same subject.
const afterConj = (ph: string): Move[] => [
  ...npStart(`${ph}.s`, { det: 0.4, adj: 0.03, noun: 0.04, name: 0.1, pron: 0.18 }, `${ph}.sPron`),
  ['verbT', 0.15, `${ph}.vt`],
  ['verbI', 0.1, `${ph}.vi`],
];

/** Every state's moves; the probabilities of a state sum to 1. */
export const STATES: Readonly<Record<string, readonly Move[]>> = Object.fromEntries([
  [
    START_STATE,
    [...npStart('1.s', { det: 0.5, adj: 0.04, noun: 0.06, name: 0.14, pron: 0.18 }, '1.sPron'), ['adv', 0.08, '1.clause']],
  ],
  ['1.clause', npStart('1.s', { det: 0.55, adj: 0.05, noun: 0.07, name: 0.14, pron: 0.19 }, '1.sPron')],
  ...PHASES.flatMap((e, i) => {
    const ph = String(i + 1);
    const next = String(Math.min(i + 2, PHASES.length));
    return [...(i > 0 ? [[`${ph}.conj`, afterConj(ph)]] : []), ...Object.entries(clause(ph, next, e))];
  }),
]);
