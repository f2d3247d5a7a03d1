// The built-in parallel corpus's target language: a deterministic transduction of the source
// grammar's sentences, so every source sentence has exactly one correct translation.
//  - Lexicon: every source word has its own made-up target stem (drawn from a seeded generator).
//  - Reordering: a transitive verb moves after its object's head noun (SVO → SOV), with an object
//    marker (a case particle) between them, and a preposition after its complement's head noun
//    (prepositions become postpositions). The particle makes the target longer than the source by
//    the number of objects, so the two lengths vary apart (and the 2-D bucket grid has work to do).
//  - Agreement: nouns, names and pronouns have a gender (their rank's parity); determiners and
//    adjectives take their noun phrase's gender as an ending, verbs their clause subject's.
// The grammar's states tell each word's role (see grammar.ts: the state reached after a word is a
// function of the words so far), which is what the reordering and the agreement read.

import { ValueError } from '@bkt/ndarray';
import { WORD_CLASSES, type WordClass } from './grammar.js';
import { Rng } from './rng.js';
import { END, type Source } from './source.js';
import { makeWords, type WordStyle } from './words.js';

/** The target lexicon's stream of a seed (the source uses 0, train/valid 1 and 2). */
const LEXICON_STREAM = 10;
const GENDERS = 2;

/** Agreement endings by gender; classes not listed do not inflect. */
const ENDINGS: Readonly<Partial<Record<WordClass, readonly [string, string]>>> = {
  det: ['e', 'i'],
  adj: ['a', 'u'],
  verbT: ['ti', 'ko'],
  verbI: ['ti', 'ko'],
};

const TARGET_STYLE: WordStyle = { syllables: [1, 2], suffixes: [''] };
const HEAD_CLASSES: ReadonlySet<WordClass> = new Set(['noun', 'name', 'pron']);
/** Classes that wait for the head of the noun phrase after them. */
const HELD_CLASSES: ReadonlySet<WordClass> = new Set(['verbT', 'prep']);
/** States reached on the head of an object or of a preposition's complement: a held word follows it. */
const RELEASE_STATE = /\.(oN|oPron|roN|pN|spN)$/;
/** States reached on the head of a clause's subject. */
const SUBJECT_STATE = /\.(sN|sPron)$/;

interface ParsedWord {
  readonly cls: WordClass;
  readonly rank: number;
  /** The grammar state reached after this word. */
  readonly state: string;
}

const MAX_ATTEMPTS_PER_WORD = 1000;

// `count` stems whose inflected forms (or the stems themselves) collide with no other target word,
// shortest first as the source's words are (the frequent ranks get the short words).
function drawStems(rng: Rng, count: number, endings: readonly string[], takenForms: Set<string>): string[] {
  const scratch = new Set<string>();
  const stems: string[] = [];
  for (let attempts = 0; stems.length < count; attempts++) {
    if (attempts > MAX_ATTEMPTS_PER_WORD * count)
      throw new ValueError(`TargetLanguage: cannot draw ${count} distinct target words`);
    const [stem] = makeWords(rng, TARGET_STYLE, 1, scratch);
    const forms = endings.map((e) => stem! + e);
    if (forms.some((f) => takenForms.has(f))) continue;
    for (const f of forms) takenForms.add(f);
    stems.push(stem!);
  }
  return stems
    .map((w, i) => [w, i] as const)
    .sort((x, y) => x[0].length - y[0].length || x[1] - y[1])
    .map(([w]) => w);
}

/** The deterministic translation of a Source's sentences. */
export class TargetLanguage {
  /** Target stems by class index and rank (the source's classWords, translated). */
  readonly stems: readonly (readonly string[])[];
  /** The object marker that precedes a moved transitive verb. */
  readonly objectMarker: string;
  /** Every word the target language can produce. */
  readonly vocab: readonly string[];

  constructor(
    private readonly source: Source,
    seed: number,
  ) {
    const rng = new Rng(seed, LEXICON_STREAM);
    const taken = new Set<string>();
    this.stems = WORD_CLASSES.map((c, i) => drawStems(rng, source.classWords[i]!.length, ENDINGS[c] ?? [''], taken));
    [this.objectMarker] = drawStems(rng, 1, [''], taken) as [string];
    this.vocab = [...taken];
  }

  private parse(words: readonly string[]): ParsedWord[] {
    const out: ParsedWord[] = [];
    let s = this.source.startState;
    words.forEach((w, i) => {
      const hit = this.source.lookup(w);
      if (hit === undefined)
        throw new ValueError(
          `TargetLanguage.translate: word ${JSON.stringify(w)} (position ${i}) is not in the source's vocabulary`,
        );
      const st = this.source.states[s]!;
      const k = st.moveOfClass[hit.cls]!;
      if (k < 0)
        throw new ValueError(
          `TargetLanguage.translate: the grammar cannot produce word ${i} (${JSON.stringify(w)}, a ${WORD_CLASSES[hit.cls]}) in state ${st.name}`,
        );
      s = st.moveNext[k]!;
      out.push({ cls: WORD_CLASSES[hit.cls]!, rank: hit.rank, state: this.source.states[s]!.name });
    });
    if (!this.source.states[s]!.moveClass.includes(END))
      throw new ValueError(
        `TargetLanguage.translate: the sentence is unfinished (the grammar cannot end in state ${this.source.states[s]!.name})`,
      );
    return out;
  }

  private form(p: ParsedWord, gender: number): string {
    const stem = this.stems[WORD_CLASSES.indexOf(p.cls)]![p.rank]!;
    const endings = ENDINGS[p.cls];
    return endings ? stem + endings[gender]! : stem;
  }

  /** The translation of a source sentence (words, or a space-separated string). */
  translate(sentence: string | readonly string[]): string[] {
    const words = typeof sentence === 'string' ? sentence.split(' ').filter((w) => w !== '') : sentence;
    if (words.length === 0) throw new ValueError('TargetLanguage.translate: the sentence is empty');
    const parsed = this.parse(words);
    const genderOf = (p: ParsedWord): number => p.rank % GENDERS;
    // The gender each determiner or adjective agrees with: the next head noun's.
    const npGender = new Array<number>(parsed.length).fill(0);
    for (let i = parsed.length - 1, g = 0; i >= 0; i--) {
      if (HEAD_CLASSES.has(parsed[i]!.cls)) g = genderOf(parsed[i]!);
      npGender[i] = g;
    }
    const out: string[] = [];
    let subjectGender = 0;
    let held: string[] | null = null;
    for (const [i, p] of parsed.entries()) {
      if (HEAD_CLASSES.has(p.cls) && SUBJECT_STATE.test(p.state)) subjectGender = genderOf(p);
      const form = this.form(p, p.cls === 'verbT' || p.cls === 'verbI' ? subjectGender : npGender[i]!);
      if (HELD_CLASSES.has(p.cls)) {
        held = p.cls === 'verbT' ? [this.objectMarker, form] : [form];
        continue;
      }
      out.push(form);
      if (held !== null && RELEASE_STATE.test(p.state)) {
        out.push(...held);
        held = null;
      }
    }
    if (held !== null)
      throw new ValueError(
        `TargetLanguage.translate: sentence ends before the head its ${JSON.stringify(held.at(-1))} waits for`,
      );
    return out;
  }
}
