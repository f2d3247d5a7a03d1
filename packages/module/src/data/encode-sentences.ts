// MXNet's encode_sentences: tokens to integer ids, building the vocabulary on the way or using a
// given one. One fix: the unknown token's id is a fresh one, never an id some word already has
// (MXNet restarted its counter at startLabel for a given vocabulary and could collide).

import { ValueError } from '@bkt/ndarray';

export interface EncodeSentencesOptions {
  /** An existing vocabulary (not modified; the returned one is a copy). Without it one is built. */
  vocab?: ReadonlyMap<string, number> | Readonly<Record<string, number>> | null;
  /** The id of `invalidKey` in a new vocabulary, skipped when handing out ids. Default -1. */
  invalidLabel?: number;
  /** The token for `invalidLabel` in a new vocabulary. Default '\n' (end of sentence). */
  invalidKey?: string;
  /** The first id handed out. Default 0. */
  startLabel?: number;
  /**
   * With a given vocabulary: the token every unknown word is encoded as (added to the vocabulary with
   * a fresh id if absent). Without it an unknown word is a ValueError. Not used when building a new
   * vocabulary, where every word is known by construction.
   */
  unknownToken?: string | null;
}

/** Returns `[encoded sentences, vocabulary]`. */
export function encodeSentences(
  sentences: readonly (readonly string[])[],
  opts: EncodeSentencesOptions = {},
): [number[][], Map<string, number>] {
  const invalidLabel = opts.invalidLabel ?? -1;
  const startLabel = opts.startLabel ?? 0;
  const given = opts.vocab ?? null;
  const vocab = new Map<string, number>();
  if (given === null) {
    vocab.set(opts.invalidKey ?? '\n', invalidLabel);
  } else {
    const entries = given instanceof Map ? given.entries() : Object.entries(given as Readonly<Record<string, number>>);
    for (const [k, v] of entries) vocab.set(k, v);
  }
  const used = new Set<number>(vocab.values());
  let counter = startLabel;
  const freshId = (): number => {
    while (counter === invalidLabel || used.has(counter)) counter += 1;
    used.add(counter);
    return counter++;
  };
  const unknown = opts.unknownToken ?? null;
  const out: number[][] = [];
  for (const sent of sentences) {
    const coded: number[] = [];
    for (const word of sent) {
      let id = vocab.get(word);
      if (id === undefined) {
        if (given === null) {
          id = freshId();
          vocab.set(word, id);
        } else if (unknown !== null) {
          id = vocab.get(unknown);
          if (id === undefined) {
            id = freshId();
            vocab.set(unknown, id);
          }
        } else {
          throw new ValueError(`encodeSentences: unknown token ${JSON.stringify(word)} (give unknownToken to map unknown words)`);
        }
      }
      coded.push(id);
    }
    out.push(coded);
  }
  return [out, vocab];
}
