// MXNet's argument forms for init / push / pull (python `_ctype_key_value`): one key with an array or
// a per-device list of arrays, or a list of keys with one such value per key. They flatten to
// (key, arrays) pairs in call order; the store then groups repeated keys.
import { NDArray, ValueError } from '@bkt/ndarray';

/** A key: an integer (a C int in MXNet) or a string. One store uses one kind. */
export type KVKey = number | string;
/** One key or a list of keys. */
export type KVKeys = KVKey | readonly KVKey[];
/** The value(s) of one key: an array, or one array per device. */
export type KVValue = NDArray | readonly NDArray[];
/** With one key, a KVValue; with a list of keys, one KVValue per key. */
export type KVValues = KVValue | readonly KVValue[];

export type KeyKind = 'integer' | 'string';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** `3` or `'w'`, as error messages name keys. */
export const fmtKey = (key: KVKey): string => (typeof key === 'string' ? `'${key}'` : String(key));

export const fmtShape = (shape: readonly number[]): string => `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;

export function kindOf(op: string, key: unknown): KeyKind {
  if (typeof key === 'string') return 'string';
  if (typeof key === 'number' && Number.isInteger(key) && key >= INT32_MIN && key <= INT32_MAX) return 'integer';
  throw new ValueError(`${op}: a key must be a 32-bit integer or a string, got ${describe(key)}`);
}

function describe(x: unknown): string {
  if (typeof x === 'string') return `'${x}'`;
  if (typeof x === 'number' || typeof x === 'boolean' || x === null || x === undefined) return String(x);
  if (x instanceof NDArray) return `an NDArray ${fmtShape(x.shape)}`;
  return Array.isArray(x) ? 'a list' : `a ${typeof x}`;
}

function arraysOf(op: string, key: KVKey, value: unknown, what: string): NDArray[] {
  if (value instanceof NDArray) return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((v) => v instanceof NDArray)) return [...(value as NDArray[])];
  throw new ValueError(
    `${op}: the ${what} for key ${fmtKey(key)} must be an NDArray or a non-empty list of NDArrays, got ${describe(value)}`,
  );
}

/**
 * The (key, arrays) pairs of one call, in call order. All keys of a call must be of one kind
 * (MXNet's "inconsistent types of keys"); `what` names the arrays in messages ('value', 'out').
 */
export function flattenPairs(op: string, keys: unknown, values: unknown, what: string): Array<[KVKey, NDArray[]]> {
  if (!Array.isArray(keys)) {
    kindOf(op, keys);
    return [[keys as KVKey, arraysOf(op, keys as KVKey, values, what)]];
  }
  if (!Array.isArray(values) || values.length !== keys.length) {
    const got = Array.isArray(values) ? `${values.length} ${what}s` : describe(values);
    throw new ValueError(`${op}: ${keys.length} keys need a list of ${keys.length} ${what}s (one per key), got ${got}`);
  }
  const pairs: Array<[KVKey, NDArray[]]> = [];
  let first: KeyKind | null = null;
  keys.forEach((key: unknown, i) => {
    const kind = kindOf(op, key);
    first ??= kind;
    if (kind !== first) {
      throw new ValueError(
        `${op}: the keys mix integers and strings (${describe(keys[0])} and ${describe(key)}); use one kind of key`,
      );
    }
    pairs.push([key as KVKey, arraysOf(op, key as KVKey, values[i], what)]);
  });
  return pairs;
}
