// Corpus BLEU as sacreBLEU's defaults compute it (tokenizer 13a, case kept, n-grams up to 4, 'exp'
// smoothing of zero precisions, brevity penalty against the closest reference length, ties to the
// shorter), and exact-match accuracy. Scores are on sacreBLEU's 0-100 scale.

import { ValueError } from '@bkt/ndarray';

const MAX_ORDER = 4;
/** sacreBLEU's log of a zero precision. */
const LOG_ZERO = -9999999999;

// mteval-v13a's tokenization: punctuation and symbols split off, periods and commas split off
// unless between digits, a dash after a digit split off.
const RULES: readonly [RegExp, string][] = [
  [/([{-~[-` -&(-+:-@/])/g, ' $1 '],
  [/([^0-9])([.,])/g, '$1 $2 '],
  [/([.,])([^0-9])/g, ' $1 $2'],
  [/([0-9])(-)/g, '$1 $2 '],
];

/** sacreBLEU's '13a' tokenizer: a line to its space-separated tokens. */
export function tokenize13a(line: string): string {
  let s = line.replaceAll('<skipped>', '').replaceAll('-\n', '').replaceAll('\n', ' ');
  if (s.includes('&')) s = s.replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>');
  s = ` ${s} `;
  for (const [re, to] of RULES) s = s.replace(re, to);
  return s
    .split(/\s+/)
    .filter((t) => t !== '')
    .join(' ');
}

export interface BleuScore {
  /** 0-100. */
  readonly score: number;
  /** Matched (clipped) n-grams by order 1..4. */
  readonly correct: readonly number[];
  /** Hypothesis n-grams by order 1..4. */
  readonly total: readonly number[];
  /** Precisions in percent, after smoothing. */
  readonly precisions: readonly number[];
  readonly brevityPenalty: number;
  readonly sysLen: number;
  readonly refLen: number;
}

function ngramCounts(tokens: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (let n = 1; n <= MAX_ORDER; n++) {
    for (let i = 0; i + n <= tokens.length; i++) {
      // a separator no token contains (tokens are split on whitespace)
      const g = tokens.slice(i, i + n).join('\n');
      counts.set(g, (counts.get(g) ?? 0) + 1);
    }
  }
  return counts;
}

const toTokens = (line: string): string[] => {
  const t = tokenize13a(line.trimEnd());
  return t === '' ? [] : t.split(' ');
};

/** Corpus BLEU of `hypotheses` against one or more reference streams (each as long as `hypotheses`). */
export function corpusBleu(hypotheses: readonly string[], references: readonly (readonly string[])[]): BleuScore {
  if (references.length === 0) throw new ValueError('corpusBleu: no reference stream');
  references.forEach((r, k) => {
    if (r.length !== hypotheses.length)
      throw new ValueError(`corpusBleu: reference stream ${k} has ${r.length} lines, the hypotheses ${hypotheses.length}`);
  });
  const correct = new Array<number>(MAX_ORDER).fill(0);
  const total = new Array<number>(MAX_ORDER).fill(0);
  let sysLen = 0;
  let refLen = 0;
  hypotheses.forEach((hyp, i) => {
    const h = toTokens(hyp);
    const refs = references.map((r) => toTokens(r[i]!));
    // each n-gram counts at most as often as the reference that has it most often
    const maxRef = new Map<string, number>();
    let closest = -1;
    for (const r of refs) {
      for (const [g, c] of ngramCounts(r)) maxRef.set(g, Math.max(maxRef.get(g) ?? 0, c));
      const d = Math.abs(h.length - r.length);
      const best = Math.abs(h.length - closest);
      if (closest < 0 || d < best || (d === best && r.length < closest)) closest = r.length;
    }
    sysLen += h.length;
    refLen += closest;
    for (const [g, c] of ngramCounts(h)) {
      const n = g.split('\n').length;
      total[n - 1]! += c;
      correct[n - 1]! += Math.min(c, maxRef.get(g) ?? 0);
    }
  });
  const brevityPenalty = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0) : 1;
  const precisions = new Array<number>(MAX_ORDER).fill(0);
  const result = (score: number): BleuScore => ({ score, correct, total, precisions, brevityPenalty, sysLen, refLen });
  if (correct.every((c) => c === 0)) return result(0);
  let smooth = 1;
  for (let n = 0; n < MAX_ORDER && total[n]! > 0; n++) {
    if (correct[n] === 0) {
      smooth *= 2;
      precisions[n] = 100 / (smooth * total[n]!);
    } else {
      precisions[n] = (100 * correct[n]!) / total[n]!;
    }
  }
  const logMean = precisions.reduce((s, p) => s + (p > 0 ? Math.log(p) : LOG_ZERO), 0) / MAX_ORDER;
  return result(brevityPenalty * Math.exp(logMean));
}

/** The share (0-1) of hypotheses equal to their reference, token by token after 13a tokenization. */
export function exactMatch(hypotheses: readonly string[], references: readonly string[]): number {
  if (references.length !== hypotheses.length)
    throw new ValueError(`exactMatch: ${references.length} references for ${hypotheses.length} hypotheses`);
  if (hypotheses.length === 0) throw new ValueError('exactMatch: no hypotheses');
  const same = hypotheses.filter((h, i) => toTokens(h).join(' ') === toTokens(references[i]!).join(' ')).length;
  return same / hypotheses.length;
}
