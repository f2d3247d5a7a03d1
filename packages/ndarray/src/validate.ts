// Argument checks for the public API of every bkt package. Each failure is a typed BktError whose
// message names the function, the argument and the value it got, so a bad call fails where it is
// made instead of turning into NaN weights, a wrong shape or a crash further down.
import { Context } from './context.js';
import { ContextError, ShapeError, ValueError } from './errors.js';

/**
 * The most elements a shape may describe, counting zero dims as 1: 2^53, the largest count a JS
 * number holds exactly. Native code applies the same limit (native/include/bkt/shape.h).
 */
export const MAX_ELEMENTS = 2 ** 53;
/** The most bytes one array may take (elements x item size). */
export const MAX_BYTES = 2 ** 53;
/** The most dimensions an array may have. */
export const MAX_DIMS = 32;

/** A short rendering of any value for error messages: `5`, `'abc'`, `null`, `[2, 3]`, `{deviceType: 'gpu'}`. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}...` : value}'`;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value !== 'object' || value === null) return String(value);
  if (Array.isArray(value)) {
    const head = value.slice(0, 8).map(describeValue).join(', ');
    return `[${head}${value.length > 8 ? ', ...' : ''}]`;
  }
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto !== Object.prototype && proto !== null) return `a ${value.constructor?.name ?? 'object'}`;
  const keys = Object.keys(value);
  const head = keys.slice(0, 6).map((k) => `${k}: ${describeValue((value as Record<string, unknown>)[k])}`);
  return `{${head.join(', ')}${keys.length > 6 ? ', ...' : ''}}`;
}

/** Inclusive bounds for checkFiniteNumber and checkInteger; `fallback` is what an undefined value gives. */
export interface NumberRange {
  min?: number;
  max?: number;
  fallback?: number;
}

/**
 * A finite number (not NaN or ±Infinity, not a string) within [min, max]; ValueError otherwise.
 * With `fallback`, an undefined value (an option left out) gives the fallback.
 */
export function checkFiniteNumber(value: unknown, fn: string, arg: string, range: NumberRange = {}): number {
  if (value === undefined && range.fallback !== undefined) return range.fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValueError(`${fn}: ${arg} must be a finite number, got ${describeValue(value)}`);
  }
  return checkRange(value, fn, arg, range);
}

/**
 * A safe integer within [min, max] (inclusive; by default any safe integer); ValueError otherwise.
 * With `fallback`, an undefined value (an option left out) gives the fallback.
 */
export function checkInteger(value: unknown, fn: string, arg: string, range: NumberRange = {}): number {
  if (value === undefined && range.fallback !== undefined) return range.fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new ValueError(`${fn}: ${arg} must be an integer, got ${describeValue(value)}`);
  }
  return checkRange(value, fn, arg, range);
}

function checkRange(value: number, fn: string, arg: string, range: NumberRange): number {
  if (range.min !== undefined && value < range.min)
    throw new ValueError(`${fn}: ${arg} must be at least ${range.min}, got ${value}`);
  if (range.max !== undefined && value > range.max)
    throw new ValueError(`${fn}: ${arg} must be at most ${range.max}, got ${value}`);
  return value;
}

/** A boolean (not a truthy number or string); ValueError otherwise. With `fallback`, undefined gives it. */
export function checkBoolean(value: unknown, fn: string, arg: string, fallback?: boolean): boolean {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'boolean') throw new ValueError(`${fn}: ${arg} must be true or false, got ${describeValue(value)}`);
  return value;
}

/** One of a fixed set of strings; ValueError listing the choices otherwise. With `fallback`, undefined gives it. */
export function checkOneOf<T extends string>(value: unknown, choices: readonly T[], fn: string, arg: string, fallback?: T): T {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new ValueError(`${fn}: ${arg} must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${describeValue(value)}`);
  }
  return value as T;
}

/**
 * An options object: `undefined` stands for `{}`; anything but a plain object, or a key not in
 * `known` (a misspelt `learningrate`, say), is a ValueError naming the key it differs from only in
 * case, if any, and listing the known keys. Values are not
 * checked here; check each with the functions above.
 */
export function checkOptions<T extends object>(options: T | undefined, known: readonly (keyof T & string)[], fn: string): T {
  if (options === undefined) return {} as T;
  const proto = typeof options === 'object' && options !== null ? (Object.getPrototypeOf(options) as object | null) : undefined;
  if (proto !== Object.prototype && proto !== null) {
    throw new ValueError(`${fn}: options must be a plain object, got ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!(known as readonly string[]).includes(key)) {
      const near = known.find((k) => k.toLowerCase() === key.toLowerCase());
      const hint = near === undefined ? '' : ` (did you mean '${near}'?)`;
      const list = known.length === 0 ? 'it takes none' : `known options: ${known.join(', ')}`;
      throw new ValueError(`${fn}: unknown option '${key}'${hint}; ${list}`);
    }
  }
  return options;
}

/** A Context made by `cpu(i)`; a look-alike object such as `{ deviceType: 'gpu' }` is a ContextError. */
export function checkContext(value: unknown, fn: string, arg = 'ctx'): Context {
  if (!(value instanceof Context)) {
    throw new ContextError(
      `${fn}: ${arg} must be a Context made by cpu(i), got ${describeValue(value)}; only cpu contexts exist on this build`,
    );
  }
  return value;
}

/**
 * A shape: an array of at most MAX_DIMS non-negative integers whose product (zero dims counted as 1,
 * so a huge dim beside a 0 is refused too) is at most MAX_ELEMENTS. Returns a copy; ShapeError
 * naming the function, the argument and the value otherwise.
 */
export function checkShape(value: unknown, fn: string, arg = 'shape'): number[] {
  if (!Array.isArray(value)) return badShape(value, fn, arg, 'must be an array of non-negative integers');
  if (value.length > MAX_DIMS) return badShape(value, fn, arg, `may have at most ${MAX_DIMS} dimensions`);
  let elements = 1;
  for (let i = 0; i < value.length; i++) {
    const d: unknown = value[i];
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      return badShape(value, fn, arg, 'must be an array of non-negative integers');
    }
    if (d > 1) elements *= d;
    if (elements > MAX_ELEMENTS) return badShape(value, fn, arg, 'describes more than 2^53 elements');
  }
  return value.slice() as number[];
}

// Kept out of checkShape so that its hot path stays small enough to inline.
function badShape(value: unknown, fn: string, arg: string, why: string): never {
  throw new ShapeError(`${fn}: ${arg} ${why}, got ${describeValue(value)}`);
}

/** checkShape, plus the byte count at `itemBytes` per element at most MAX_BYTES. Returns the checked copy. */
export function checkShapeBytes(value: unknown, itemBytes: number, fn: string, arg = 'shape'): number[] {
  const shape = checkShape(value, fn, arg);
  let count = itemBytes;
  for (let i = 0; i < shape.length; i++) count *= shape[i]!;
  if (count > MAX_BYTES) {
    throw new ShapeError(`${fn}: ${arg} ${describeValue(shape)} of ${itemBytes}-byte elements needs more than 2^53 bytes`);
  }
  return shape;
}
