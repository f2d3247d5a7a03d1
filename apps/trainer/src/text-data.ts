// Text to token ids, as lstm_bucketing.py reads it: one sentence a line, tokens split on spaces,
// padding id 0 (the invalid label the metric skips), words from id 1. Unlike MXNet, every sentence
// ends with an explicit `</s>` token (unless eos is off), so the model learns where sentences end —
// what the built-in corpus's floor counts and what `generate` stops on. Words the vocabulary lacks
// become `<unk>`, which every vocabulary holds.

import { readFileSync, statSync } from 'node:fs';
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

/** Longest line read, in characters: far past any sentence, short of a binary file's "lines". */
export const MAX_LINE_CHARS = 65_536;
/** Largest text file read (V8's strings stop at about this size). */
export const MAX_TEXT_BYTES = 512 * 1024 * 1024;

const lineOf = (bytes: Uint8Array, offset: number): number => {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
};

/**
 * The contents of a text file, or a ValueError naming `what` when it is not one: not a regular file,
 * too big, NUL bytes, invalid UTF-8 or a line longer than MAX_LINE_CHARS (a binary file given as text).
 */
export function readTextFile(file: string, what: string): string {
  let bytes: Uint8Array;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new ValueError(`${what}: '${file}' is not a regular file`);
    if (st.size > MAX_TEXT_BYTES)
      throw new ValueError(`${what}: '${file}' has ${st.size} bytes, more than the ${MAX_TEXT_BYTES} bkt-train reads`);
    bytes = readFileSync(file);
  } catch (e) {
    if (e instanceof ValueError) throw e;
    throw new ValueError(`${what}: cannot read '${file}': ${(e as Error).message}`);
  }
  return checkedText(bytes, what, `'${file}'`);
}

/** Standard input read to its end, checked as readTextFile checks a file. */
function readTextStdin(what: string): string {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(0);
  } catch (e) {
    throw new ValueError(`${what}: cannot read standard input: ${(e as Error).message}`);
  }
  if (bytes.length > MAX_TEXT_BYTES)
    throw new ValueError(`${what}: standard input has ${bytes.length} bytes, more than the ${MAX_TEXT_BYTES} bkt-train reads`);
  return checkedText(bytes, what, 'standard input');
}

/** `bytes` as a string, or a ValueError naming `what` and `source` when they are not text. */
function checkedText(bytes: Uint8Array, what: string, source: string): string {
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new ValueError(`${what}: ${source} is not text: a NUL byte at offset ${nul} (line ${lineOf(bytes, nul)})`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ValueError(`${what}: ${source} is not text: it is not valid UTF-8`);
  }
  let start = 0;
  for (let line = 1; start <= text.length; line++) {
    const end = text.indexOf('\n', start);
    const stop = end < 0 ? text.length : end;
    if (stop - start > MAX_LINE_CHARS)
      throw new ValueError(
        `${what}: ${source} line ${line} has ${stop - start} characters, more than ${MAX_LINE_CHARS}; give text with one sentence a line`,
      );
    if (end < 0) break;
    start = end + 1;
  }
  return text;
}

/**
 * The lines of a text file, or of standard input when `file` is undefined, checked as readTextFile
 * does; blank lines are kept (line i answers line i), a final newline ends the last line.
 */
export function readTextLines(file: string | undefined, what: string): string[] {
  const lines = (file === undefined ? readTextStdin(what) : readTextFile(file, what)).split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Reads a text file as tokenized sentences; a missing, empty or non-text file is a ValueError naming `what`. */
export function readSentences(file: string, what: string, eos: boolean): string[][] {
  const sentences = tokenize(readTextFile(file, what).split('\n'), eos);
  if (sentences.length === 0)
    throw new ValueError(`${what}: '${file}' has no sentences (one sentence a line, words separated by spaces)`);
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
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ValueError(`loadVocab: '${file}' is not a JSON object word → id`);
  const vocab: Vocab = new Map();
  for (const [w, id] of Object.entries(parsed as Record<string, unknown>)) {
    if (!Number.isInteger(id) || (id as number) < 0)
      throw new ValueError(`loadVocab: '${file}': the id of ${JSON.stringify(w)} is not a non-negative integer`);
    vocab.set(w, id as number);
  }
  if (!vocab.has(UNK)) throw new ValueError(`loadVocab: '${file}' has no ${UNK} entry; it was not written by bkt-train`);
  return vocab;
}
