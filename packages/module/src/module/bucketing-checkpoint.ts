// BucketingModule's checkpoint files besides `.params`/`.states`: every bucket's symbol
// (`<prefix>-<key>-symbol.json`), the keys with the default one and the optimizer-index order of the
// parameter names (`<prefix>-buckets.json`), and MXNet's `<prefix>.buckets` (an int32 array of the
// keys) when every key is an integer.

import { existsSync, readFileSync } from 'node:fs';
import { array, load as loadArrays, save, ValueError, writeFileAtomic } from '@bkt/ndarray';
import { loadSymbol, type Symbol as BktSymbol } from '@bkt/symbol';
import type { BucketKey } from '../data/data-batch.js';
import { bucketKeyLabel } from './bucket-key.js';

/** `<prefix>-buckets.json`: what `.buckets` (integer keys only, MXNet's format) cannot hold. */
interface BucketsFile {
  format: 'bkt-buckets';
  version: 1;
  defaultBucketKey: BucketKey;
  keys: BucketKey[];
  /** Parameter names in optimizer-index order, so optimizer states map back to the right parameter. */
  paramOrder: string[];
}

export const bucketsFile = (prefix: string): string => `${prefix}.buckets`;
export const bucketsJsonFile = (prefix: string): string => `${prefix}-buckets.json`;
export const bucketSymbolFile = (prefix: string, key: BucketKey): string => `${prefix}-${bucketKeyLabel(key)}-symbol.json`;

export interface BucketFilesContent {
  defaultBucketKey: BucketKey;
  keys: BucketKey[];
  paramOrder: string[];
  /** The symbol of a bucket, as generated in training. */
  symbolOf: (key: BucketKey) => BktSymbol;
}

/** Writes the bucket files of a checkpoint (each atomically); returns their names for the manifest. */
export function writeBucketFiles(prefix: string, content: BucketFilesContent): string[] {
  const { keys } = content;
  const written = keys.map((key) => bucketSymbolFile(prefix, key));
  keys.forEach((key, i) => content.symbolOf(key).save(written[i]!));
  const meta: BucketsFile = {
    format: 'bkt-buckets',
    version: 1,
    defaultBucketKey: content.defaultBucketKey,
    keys,
    paramOrder: content.paramOrder,
  };
  writeFileAtomic('saveCheckpoint', bucketsJsonFile(prefix), `${JSON.stringify(meta, null, 1)}\n`);
  written.push(bucketsJsonFile(prefix));
  if (keys.every((k) => Number.isInteger(k) && (k as number) >= -(2 ** 31) && (k as number) < 2 ** 31)) {
    save(bucketsFile(prefix), [array(keys as number[], { dtype: 'int32' })]);
    written.push(bucketsFile(prefix));
  }
  return written;
}

/** A bucket's saved symbol, or undefined when the checkpoint has none for it (MXNet's own checkpoints). */
export function readBucketSymbol(prefix: string, key: BucketKey): BktSymbol | undefined {
  const file = bucketSymbolFile(prefix, key);
  return existsSync(file) ? loadSymbol(file) : undefined;
}
/** The checkpoint's keys: `<prefix>-buckets.json`, or MXNet's `<prefix>.buckets` (integer keys). */
export function readBucketsFile(prefix: string): { keys: BucketKey[]; defaultBucketKey?: BucketKey; paramOrder: string[] } {
  const json = bucketsJsonFile(prefix);
  if (existsSync(json)) {
    let meta: BucketsFile;
    try {
      meta = JSON.parse(readFileSync(json, 'utf8')) as BucketsFile;
    } catch (e) {
      throw new ValueError(`BucketingModule.load: ${json} is not valid JSON: ${(e as Error).message}`);
    }
    if (meta?.format !== 'bkt-buckets' || !Array.isArray(meta.keys) || !Array.isArray(meta.paramOrder)) {
      throw new ValueError(`BucketingModule.load: ${json} is not a bkt buckets file`);
    }
    return meta;
  }
  const legacy = bucketsFile(prefix);
  if (!existsSync(legacy))
    throw new ValueError(
      `BucketingModule.load: neither ${json} nor ${legacy} exists (was the checkpoint written by a BucketingModule?)`,
    );
  const arrays = loadArrays(legacy);
  const list = Array.isArray(arrays) ? arrays : Object.values(arrays);
  if (list.length !== 1 || list[0]!.ndim !== 1)
    throw new ValueError(`BucketingModule.load: ${legacy} must hold one 1-d array of bucket keys`);
  return { keys: [...list[0]!.toArray()].map(Number), paramOrder: [] };
}
