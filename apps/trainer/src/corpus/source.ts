// The built-in corpus's true model: the grammar of grammar.ts with a vocabulary drawn from a seed.
// It samples sentences and scores them exactly. Scores follow the trainer's language model, which
// reads a sentence's words followed by an end token and predicts each next token: the first word is
// never predicted, words 2..n and the end are, each given all the words before it.

import { ValueError } from '@bkt/ndarray';
import { Categorical, zipfWeights } from './categorical.js';
import {
  CLOSED_CLASS_SIZES,
  OPEN_CLASS_SHARES,
  START_STATE,
  STATES,
  WORD_CLASSES,
  WORD_STYLES,
  ZIPF_EXPONENT,
} from './grammar.js';
import { Rng } from './rng.js';
import { makeWords } from './words.js';

/** The vocabulary stream of a seed; the train and valid streams are 1 and 2. */
const VOCAB_STREAM = 0;
export const DEFAULT_VOCAB_SIZE = 2000;
/** Below this the open classes would be left with a word or two each. */
export const MIN_VOCAB_SIZE = 64;
export const MAX_VOCAB_SIZE = 50_000;
/** Outcome class index of the end of the sentence. */
export const END = -1;

/** A state's moves, ready to sample and score. */
export interface SourceState {
  readonly name: string;
  /** Over the moves: class index (END for the end) and the next state's index. */
  readonly moves: Categorical;
  readonly moveClass: Int32Array;
  readonly moveNext: Int32Array;
  /** Move index by class index, -1 where the class cannot follow this state. */
  readonly moveOfClass: Int32Array;
}

export interface SourceOptions {
  /** Seeds the vocabulary (which made-up words, and which rank each takes). */
  seed: number;
  /** Words in all; default DEFAULT_VOCAB_SIZE (2000). */
  vocabSize?: number;
}

const toWords = (sentence: string | readonly string[]): readonly string[] =>
  typeof sentence === 'string' ? sentence.split(' ').filter((w) => w !== '') : sentence;

/** Splits the vocabulary among the classes: closed classes fixed, open ones by share. */
function classSizes(vocabSize: number): number[] {
  const closed = WORD_CLASSES.reduce((s, c) => s + (CLOSED_CLASS_SIZES[c] ?? 0), 0);
  const rest = vocabSize - closed;
  const sizes = WORD_CLASSES.map((c) => CLOSED_CLASS_SIZES[c] ?? Math.max(1, Math.floor(rest * OPEN_CLASS_SHARES[c]!)));
  // Rounding leftovers go to the largest open class so the total is exactly vocabSize.
  const nounIdx = WORD_CLASSES.indexOf('noun');
  sizes[nounIdx]! += vocabSize - sizes.reduce((s, n) => s + n, 0);
  return sizes;
}

/** The stochastic grammar with its vocabulary: samples sentences and gives their exact log-probability. */
export class Source {
  /** All words, class by class, each class by Zipf rank. */
  readonly vocab: readonly string[];
  /** Each class's words by rank and their distribution. */
  readonly classWords: readonly (readonly string[])[];
  readonly classDist: readonly Categorical[];
  readonly states: readonly SourceState[];
  readonly startState: number;
  private readonly wordIndex: Map<string, { cls: number; rank: number }>;

  constructor(opts: SourceOptions) {
    const vocabSize = opts.vocabSize ?? DEFAULT_VOCAB_SIZE;
    if (!Number.isInteger(vocabSize) || vocabSize < MIN_VOCAB_SIZE || vocabSize > MAX_VOCAB_SIZE) {
      throw new ValueError(`Source: vocabSize must be an integer in [${MIN_VOCAB_SIZE}, ${MAX_VOCAB_SIZE}], got ${vocabSize}`);
    }
    const rng = new Rng(opts.seed, VOCAB_STREAM);
    const taken = new Set<string>();
    const sizes = classSizes(vocabSize);
    this.classWords = WORD_CLASSES.map((c, i) => makeWords(rng, WORD_STYLES[c], sizes[i]!, taken));
    this.classDist = sizes.map((n) => new Categorical(zipfWeights(n, ZIPF_EXPONENT)));
    this.vocab = this.classWords.flat();
    this.wordIndex = new Map();
    this.classWords.forEach((ws, cls) => ws.forEach((w, rank) => this.wordIndex.set(w, { cls, rank })));

    const names = Object.keys(STATES);
    const stateIdx = new Map(names.map((n, i) => [n, i]));
    this.states = names.map((name) => {
      const spec = STATES[name]!;
      const total = spec.reduce((s, m) => s + m[1], 0);
      if (Math.abs(total - 1) > 1e-9)
        throw new ValueError(`Source: state '${name}' has move probabilities summing to ${total}, not 1`);
      const moveClass = new Int32Array(spec.length);
      const moveNext = new Int32Array(spec.length);
      const moveOfClass = new Int32Array(WORD_CLASSES.length + 1).fill(-1);
      spec.forEach((m, k) => {
        const cls = m[0] === 'end' ? END : WORD_CLASSES.indexOf(m[0]);
        const next = m[0] === 'end' ? -1 : stateIdx.get(m[2]);
        if (next === undefined) throw new ValueError(`Source: state '${name}' moves to unknown state '${m[2]}'`);
        if (moveOfClass[cls + 1] !== -1)
          throw new ValueError(
            `Source: state '${name}' has two moves on '${m[0]}', so the next state would not follow from the word`,
          );
        moveClass[k] = cls;
        moveNext[k] = next;
        moveOfClass[cls + 1] = k;
      });
      return { name, moves: new Categorical(spec.map((m) => m[1])), moveClass, moveNext, moveOfClass: moveOfClass.subarray(1) };
    });
    this.startState = stateIdx.get(START_STATE)!;
  }

  /** A word's class index and rank within its class; undefined for a word the source cannot produce. */
  lookup(word: string): { cls: number; rank: number } | undefined {
    return this.wordIndex.get(word);
  }

  /** Draws one sentence's words. */
  sample(rng: Rng): string[] {
    const words: string[] = [];
    let s = this.startState;
    for (;;) {
      const st = this.states[s]!;
      const k = st.moves.sample(rng);
      const cls = st.moveClass[k]!;
      if (cls === END) return words;
      words.push(this.classWords[cls]![this.classDist[cls]!.sample(rng)]!);
      s = st.moveNext[k]!;
    }
  }

  /**
   * Natural log-probability of words 2..n and the end token, each given the words before it (the
   * first word is given, never predicted); -Infinity if the grammar cannot produce the sentence.
   */
  logProb(sentence: string | readonly string[]): number {
    const words = toWords(sentence);
    if (words.length === 0) throw new ValueError('Source.logProb: the sentence is empty');
    let s = this.startState;
    let lp = 0;
    for (let i = 0; i < words.length; i++) {
      const hit = this.wordIndex.get(words[i]!);
      if (hit === undefined)
        throw new ValueError(
          `Source.logProb: word ${JSON.stringify(words[i])} (position ${i}) is not in the source's vocabulary`,
        );
      const st = this.states[s]!;
      const k = st.moveOfClass[hit.cls]!;
      if (k < 0) return -Infinity;
      if (i > 0) lp += Math.log(st.moves.probs[k]!) + Math.log(this.classDist[hit.cls]!.probs[hit.rank]!);
      s = st.moveNext[k]!;
    }
    const st = this.states[s]!;
    const end = st.moveClass.indexOf(END);
    return end < 0 ? -Infinity : lp + Math.log(st.moves.probs[end]!);
  }

  /** The true model's perplexity on a set of sentences, counting tokens as logProb does. */
  perplexity(sentences: readonly (string | readonly string[])[]): number {
    let nll = 0;
    let tokens = 0;
    for (const s of sentences) {
      nll -= this.logProb(s);
      tokens += toWords(s).length;
    }
    if (tokens === 0) throw new ValueError('Source.perplexity: no sentences');
    return Math.exp(nll / tokens);
  }
}
