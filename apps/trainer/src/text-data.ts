// Text to token ids, as lstm_bucketing.py reads it: one sentence a line, tokens split on spaces,
// padding id 0 (the invalid label the metric skips), words from id 1. Unlike MXNet, every sentence
// ends with an explicit `</s>` token (unless eos is off), so the model learns where sentences end —
// what the built-in corpus's floor counts and what `generate` stops on. Words the vocabulary lacks
// become `<unk>`, which every vocabulary holds.

import { readFileSync } from 'node:fs';
import { encodeSentences } from '@bkt/module';
import { ValueError, writeFileAtomic } from '@bkt/ndarray';

export const PAD = '<pad>';
export const EOS = '</s>';
export const UNK = '<unk>';

/** Word → id; `<pad>` is 0. */
export type Vocab = Map<string, number>;

/** Splits text into sentences of tokens; blank lines are skipped. */
export function tokenize(lines: readonly string[], eos: boolean): string[][] {
  const out: string[][] = [];
  for (const line of lines) {
    const words = line.split(/\s+/).filter((w) => w !== '');
    if (words.length === 0) continue;
    if (eos) words.push(EOS);
    out.push(words);
  }
  return out;
}

/** Reads a text file as tokenized sentences; a missing or empty file is a ValueError naming `what`. */
export function readSentences(file: string, what: string, eos: boolean): string[][] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ValueError(`${what}: cannot read '${file}': ${(e as Error).message}`);
  }
  const sentences = tokenize(text.split('\n'), eos);
  if (sentences.length === 0) throw new ValueError(`${what}: '${file}' has no sentences (one sentence a line, words separated by spaces)`);
  return sentences;
}

/** Builds the vocabulary from the training sentences and encodes them. */
export function buildVocab(train: readonly string[][]): [number[][], Vocab] {
  const [coded, vocab] = encodeSentences(train, { invalidLabel: 0, invalidKey: PAD, startLabel: 1 });
  if (!vocab.has(UNK)) vocab.set(UNK, vocab.size);
  return [coded, vocab];
}

/** Encodes sentences with a fixed vocabulary, unknown words as `<unk>`. */
export function encodeWith(sentences: readonly string[][], vocab: Vocab): number[][] {
  return encodeSentences(sentences, { vocab, unknownToken: UNK })[0];
}

/** The number of ids the embedding must hold. */
export const vocabSize = (vocab: Vocab): number => Math.max(...vocab.values()) + 1;

/** Writes the vocabulary as a JSON object word → id, atomically. */
export function saveVocab(file: string, vocab: Vocab): void {
  writeFileAtomic('saveVocab', file, `${JSON.stringify(Object.fromEntries(vocab))}\n`);
}

/** Reads a vocabulary written by saveVocab. */
export function loadVocab(file: string): Vocab {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ValueError(`loadVocab: cannot read the vocabulary '${file}': ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ValueError(`loadVocab: '${file}' is not a JSON object word → id`);
  const vocab: Vocab = new Map();
  for (const [w, id] of Object.entries(parsed as Record<string, unknown>)) {
    if (!Number.isInteger(id) || (id as number) < 0) throw new ValueError(`loadVocab: '${file}': the id of ${JSON.stringify(w)} is not a non-negative integer`);
    vocab.set(w, id as number);
  }
  if (!vocab.has(UNK)) throw new ValueError(`loadVocab: '${file}' has no ${UNK} entry; it was not written by bkt-train`);
  return vocab;
}
