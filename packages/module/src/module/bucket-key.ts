// Bucket keys: a number, a string or a tuple of them (MXNet needs hashable Python keys; in JS a tuple
// is an array, which is not a usable Map key, so every key is looked up by a canonical id).

import { ValueError } from '@bkt/ndarray';
import type { BucketKey } from '../data/data-batch.js';

const isAtom = (k: unknown): k is number | string => (typeof k === 'number' && Number.isFinite(k)) || typeof k === 'string';

/** Raises ValueError naming `call` unless `key` is a finite number, a string or a non-empty tuple of them. */
export function checkBucketKey(call: string, key: unknown): asserts key is BucketKey {
  if (isAtom(key)) return;
  if (Array.isArray(key) && key.length > 0 && key.every(isAtom)) return;
  throw new ValueError(
    `${call}: a bucket key must be a finite number, a string or a non-empty tuple of them, got ${describe(key)}`,
  );
}

/** The canonical id of a key: equal tuples give equal ids; 10 and '10' do not. */
export const bucketKeyId = (key: BucketKey): string => JSON.stringify(key);

/** The key as it appears in file names: `10`, `en`, `(10,20)`; characters unsafe in a file name are %-escaped. */
export function bucketKeyLabel(key: BucketKey): string {
  const atom = (k: number | string): string => encodeURIComponent(String(k));
  return Array.isArray(key) ? `(${key.map(atom).join(',')})` : atom(key as number | string);
}

function describe(key: unknown): string {
  if (key === undefined) return 'undefined (the batch has no bucketKey)';
  try {
    return JSON.stringify(key) ?? String(key);
  } catch {
    return String(key);
  }
}
