// The source's exact entropy floor and length distribution, from the grammar as an absorbing Markov
// chain over its states (the end of the sentence absorbs).
//
// What is counted: the trainer's LM reads a sentence's words followed by an end token and predicts
// each next token, so it predicts words 2..n and the end, never the first word. The token predicted
// from a state is that state's next move: a word (class then word) or the end. So
//   H_s  = entropy of state s's next token = H(moves of s) + Σ_class P(class | s) · H(words of class)
//   N    = e_start (I − Q)^{-1}, expected visits per sentence (Q: state-to-state move probabilities)
//   N'   = N − e_start: the visits after the first word, one per predicted token, Σ N' = E[length]
//   H    = Σ_s N'_s H_s / Σ_s N'_s  (nats per predicted token; a ratio of expectations, which is what a
//          perplexity over a large set of sentences converges to), floorPpl = exp(H).
// No model can do better in expectation: the state is a function of the words so far, so the state's
// distribution is the true conditional distribution of the next token given the whole history.

import { solveLinear } from './linear-solve.js';
import { END, type Source } from './source.js';

export interface SourceStatistics {
  /** Expected visits per sentence to each state after the first word: the predicting positions. */
  readonly visits: Float64Array;
  /** Entropy (nats) of each state's next token, the end included. */
  readonly stateEntropy: Float64Array;
  /** Expected words per sentence, equal to the expected predicted tokens per sentence. */
  readonly meanLength: number;
  /** Nats per predicted token. */
  readonly entropyRate: number;
  /** exp(entropyRate): the best perplexity any model can expect on this source. */
  readonly floorPpl: number;
}

/** Row s: the probability of moving from state s to each state (the end leaves the chain). */
function transitionMatrix(src: Source): Float64Array[] {
  const n = src.states.length;
  return src.states.map((st) => {
    const row = new Float64Array(n);
    st.moveClass.forEach((cls, k) => {
      if (cls !== END) row[st.moveNext[k]!]! += st.moves.probs[k]!;
    });
    return row;
  });
}

/** The exact entropy floor of a source, as the header explains. */
export function sourceStatistics(src: Source): SourceStatistics {
  const n = src.states.length;
  const q = transitionMatrix(src);
  // N (I − Q) = e_start, solved transposed: (I − Q)^T N^T = e_start^T.
  const iqT = Array.from({ length: n }, (_, r) => Float64Array.from({ length: n }, (_, c) => (r === c ? 1 : 0) - q[c]![r]!));
  const start = new Float64Array(n);
  start[src.startState] = 1;
  const visits = solveLinear(iqT, start);
  visits[src.startState]! -= 1;
  const classEntropy = src.classDist.map((d) => d.entropy());
  const stateEntropy = Float64Array.from(src.states, (st) => {
    let h = st.moves.entropy();
    st.moveClass.forEach((cls, k) => {
      if (cls !== END) h += st.moves.probs[k]! * classEntropy[cls]!;
    });
    return h;
  });
  let meanLength = 0;
  let nats = 0;
  visits.forEach((v, s) => {
    meanLength += v;
    nats += v * stateEntropy[s]!;
  });
  const entropyRate = nats / meanLength;
  return { visits, stateEntropy, meanLength, entropyRate, floorPpl: Math.exp(entropyRate) };
}

/**
 * P(sentence length = k words) for k = 0..K, where K is the first length past which less than
 * `tailMass` probability remains (or `maxLength`, whichever comes first).
 */
export function lengthDistribution(src: Source, opts: { tailMass?: number; maxLength?: number } = {}): Float64Array {
  const tailMass = opts.tailMass ?? 1e-12;
  const maxLength = opts.maxLength ?? 10_000;
  const q = transitionMatrix(src);
  const endProb = src.states.map((st) => {
    const k = st.moveClass.indexOf(END);
    return k < 0 ? 0 : st.moves.probs[k]!;
  });
  let dist = new Float64Array(src.states.length);
  dist[src.startState] = 1;
  const out = [0];
  let remaining = 1;
  while (remaining > tailMass && out.length <= maxLength) {
    const next = new Float64Array(dist.length);
    dist.forEach((p, s) => q[s]!.forEach((t, s2) => (next[s2]! += p * t)));
    dist = next;
    const pEnd = dist.reduce((acc, p, s) => acc + p * endProb[s]!, 0);
    out.push(pEnd);
    remaining -= pEnd;
  }
  return Float64Array.from(out);
}
