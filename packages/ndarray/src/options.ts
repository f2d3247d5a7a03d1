// Checks for option objects at an API boundary, shared by every package: an unknown key is an error
// (a misspelt `learningrate` must not be ignored), and a number that must be finite (a learning rate,
// an epoch count) is checked before it can turn weights into NaN. Errors are ValueErrors naming the
// function and the key.

import { ValueError } from './errors.js';

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/**
 * Throws unless `opts` is undefined or a plain object whose keys are all in `known`; an unknown key's
 * message suggests the known one it differs from only in case.
 */
export function checkOptions(fn: string, opts: unknown, known: readonly string[]): void {
  if (opts === undefined) return;
  if (!isPlainObject(opts)) throw new ValueError(`${fn}: the options must be a plain object, got ${opts === null ? 'null' : Array.isArray(opts) ? 'an array' : typeof opts}`);
  for (const key of Object.keys(opts)) {
    if (known.includes(key)) continue;
    const near = known.find((k) => k.toLowerCase() === key.toLowerCase());
    throw new ValueError(`${fn}: unknown option '${key}'${near ? ` (did you mean '${near}'?)` : ''}; known options: ${known.join(', ')}`);
  }
}

/** Bounds for checkFiniteNumber (inclusive). */
export interface NumberBounds {
  min?: number;
  max?: number;
  integer?: boolean;
}

/** Returns `value` when it is a finite number (an integer with `integer`) within the bounds; else a ValueError. */
export function checkFiniteNumber(fn: string, key: string, value: unknown, bounds: NumberBounds = {}): number {
  const shown = typeof value === 'string' ? `'${value}'` : String(value);
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ValueError(`${fn}: ${key} must be a finite number, got ${shown}`);
  if (bounds.integer && !Number.isInteger(value)) throw new ValueError(`${fn}: ${key} must be an integer, got ${shown}`);
  if (bounds.min !== undefined && value < bounds.min) throw new ValueError(`${fn}: ${key} must be at least ${bounds.min}, got ${shown}`);
  if (bounds.max !== undefined && value > bounds.max) throw new ValueError(`${fn}: ${key} must be at most ${bounds.max}, got ${shown}`);
  return value;
}
