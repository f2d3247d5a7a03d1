// Option checking for class hierarchies (optimizers, learning-rate schedulers): each class declares
// `static readonly optionSpec`, the checks of the options it adds; a constructor checks its options
// against the specs of its class and every base. Unknown keys are rejected, as MXNet's optimizers do
// for keyword arguments they do not take — unless a class in the chain (a user's subclass) declares
// no spec, since its own keys are then unknown here; the declared keys are still checked.

import {
  checkBoolean,
  checkFiniteNumber,
  checkInteger,
  checkOneOf,
  checkOptions,
  describeValue,
  type NumberRange,
  ValueError,
} from '@bkt/ndarray';

/** Bounds of a number option; `integer` asks for a safe integer. */
type NumberBounds = Omit<NumberRange, 'fallback'> & { integer?: boolean };

const checkNumber = (fn: string, key: string, v: unknown, bounds: NumberBounds = {}): void =>
  void (bounds.integer ? checkInteger(v, fn, key, bounds) : checkFiniteNumber(v, fn, key, bounds));

/** Checks one given (not undefined) option value; throws a ValueError naming `fn` and `key`. */
export type OptionCheck = ((fn: string, key: string, value: unknown) => void) & { required?: true };
export type OptionSpec = Readonly<Record<string, OptionCheck>>;

/** `check`, for an option that must be given. */
export const required = (check: OptionCheck): OptionCheck =>
  Object.assign(
    (fn: string, key: string, v: unknown) => {
      if (v === undefined) throw new ValueError(`${fn}: ${key} is required`);
      check(fn, key, v);
    },
    { required: true as const },
  );

export const finite =
  (bounds?: NumberBounds): OptionCheck =>
  (fn, key, v) =>
    checkNumber(fn, key, v, bounds);

export const finiteOrNull =
  (bounds?: NumberBounds): OptionCheck =>
  (fn, key, v) => {
    if (v !== null) checkNumber(fn, key, v, bounds);
  };

/** An array of finite numbers within the bounds. */
export const finiteList =
  (bounds?: NumberBounds): OptionCheck =>
  (fn, key, v) => {
    if (!Array.isArray(v)) throw new ValueError(`${fn}: ${key} must be a list of numbers, got ${describeValue(v)}`);
    v.forEach((x, i) => checkNumber(fn, `${key}[${i}]`, x, bounds));
  };

export const boolean: OptionCheck = (fn, key, v) => void checkBoolean(v, fn, key);

export const oneOf =
  (...choices: string[]): OptionCheck =>
  (fn, key, v) =>
    void checkOneOf(v, choices, fn, key);

/** An object with these methods (a scheduler, a symbol), or null. */
export const objectWith =
  (what: string, methods: readonly string[]): OptionCheck =>
  (fn, key, v) => {
    if (v === null) return;
    const ok = typeof v === 'object' && methods.every((m) => typeof (v as Record<string, unknown>)[m] === 'function');
    if (!ok) throw new ValueError(`${fn}: ${key} must be ${what} (an object with ${methods.join(', ')}), got ${String(v)}`);
  };

/** A Map or a plain object. */
export const keyed: OptionCheck = (fn, key, v) => {
  if (!(v instanceof Map) && (v === null || typeof v !== 'object' || Array.isArray(v)))
    throw new ValueError(`${fn}: ${key} must be a Map or a plain object, got ${String(v)}`);
};

interface WithSpec {
  optionSpec?: OptionSpec;
}

/**
 * Checks `opts` for an instance of `klass`: every key against the specs of `klass` and its bases up
 * to `root`, then each given value (and each required one) with its check.
 */
export function checkClassOptions(
  fn: string,
  opts: unknown,
  klass: abstract new (...args: never[]) => unknown,
  root: abstract new (...args: never[]) => unknown,
): void {
  const specs: OptionSpec[] = [];
  let complete = true;
  for (let c: unknown = klass; typeof c === 'function'; c = Object.getPrototypeOf(c)) {
    if (Object.hasOwn(c, 'optionSpec')) specs.push((c as WithSpec).optionSpec!);
    else complete = false;
    if (c === root) break;
  }
  // a subclass's check of a key overrides its base's
  const spec: Record<string, OptionCheck> = Object.assign({}, ...specs.reverse());
  checkOptions(opts as Record<string, unknown> | undefined, complete ? Object.keys(spec) : Object.keys(opts ?? {}), fn);
  const given = (opts ?? {}) as Record<string, unknown>;
  for (const [key, check] of Object.entries(spec)) {
    if (given[key] !== undefined || check.required) check(fn, key, given[key]);
  }
}
