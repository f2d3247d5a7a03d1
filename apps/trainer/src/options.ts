// Parsers for the command-line values: each returns the typed value or throws commander's
// InvalidArgumentError with a message saying what is wrong, which commander prints after the option
// name before exiting with a non-zero code.

import { InvalidArgumentError } from 'commander';

const fail = (msg: string): never => {
  throw new InvalidArgumentError(msg);
};

/** An integer >= min. */
export const intAtLeast =
  (min: number) =>
  (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isInteger(n)) fail(`'${v}' is not an integer.`);
    if (n < min) fail(`must be at least ${min}, got ${n}.`);
    return n;
  };

/** A finite number in [min, max] (bounds inclusive unless `open`). */
export const numberIn =
  (min: number, max = Infinity, open = false) =>
  (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) fail(`'${v}' is not a number.`);
    if (open ? n <= min : n < min) fail(`must be ${open ? 'greater than' : 'at least'} ${min}, got ${n}.`);
    if (n > max) fail(`must be at most ${max}, got ${n}.`);
    return n;
  };

/** `auto`, or ascending-or-not positive integer lengths separated by commas. */
export function parseBuckets(v: string): number[] | 'auto' {
  if (v === 'auto') return 'auto';
  const parts = v.split(',').map((s) => s.trim());
  const out = parts.map((s) => {
    const n = Number(s);
    if (s === '' || !Number.isInteger(n) || n < 2)
      fail(`'${s}' in '${v}' is not a bucket length (an integer >= 2), nor is the list 'auto'.`);
    return n;
  });
  return [...new Set(out)].sort((a, b) => a - b);
}

/** A context, as MXNet writes it. */
export interface ContextSpec {
  deviceType: 'cpu';
  deviceId: number;
}

/** `cpu(0),cpu(1)` (or `cpu`, meaning cpu(0)); no two the same. */
export function parseContexts(v: string): ContextSpec[] {
  const out = v.split(',').map((s) => {
    const m = /^\s*cpu(?:\((\d+)\))?\s*$/.exec(s);
    if (!m) fail(`'${s.trim()}' is not a context; write cpu(0),cpu(1) (bkt runs on CPU only).`);
    return { deviceType: 'cpu' as const, deviceId: Number(m![1] ?? 0) };
  });
  const ids = out.map((c) => c.deviceId);
  if (new Set(ids).size !== ids.length) fail(`'${v}' lists a context twice.`);
  return out;
}

/** A checkpoint reference `PREFIX:EPOCH`. */
export interface CheckpointRef {
  prefix: string;
  epoch: number;
}

/** `PREFIX:EPOCH` with a non-negative integer epoch (the prefix itself may contain colons). */
export function parseCheckpointRef(v: string): CheckpointRef {
  const i = v.lastIndexOf(':');
  const epoch = Number(v.slice(i + 1));
  if (i <= 0 || v.slice(i + 1) === '' || !Number.isInteger(epoch) || epoch < 0) {
    fail(`'${v}' is not PREFIX:EPOCH (e.g. runs/lm:3, the prefix given to --checkpoint and an epoch it saved).`);
  }
  return { prefix: v.slice(0, i), epoch };
}

/** What --resume continues: a prefix and an epoch, or a prefix alone (its newest complete checkpoint). */
export interface ResumeRef {
  prefix: string;
  epoch?: number;
}

/** `PREFIX:EPOCH`, or `PREFIX` alone when the text after the last colon is not a number. */
export function parseResumeRef(v: string): ResumeRef {
  if (v === '') fail('give a checkpoint prefix (PREFIX or PREFIX:EPOCH).');
  const i = v.lastIndexOf(':');
  return i > 0 && /^\d+$/.test(v.slice(i + 1)) ? parseCheckpointRef(v) : { prefix: v };
}

/** A learning-rate schedule. */
export type LrSchedulerSpec =
  | { kind: 'factor'; step: number; factor: number }
  | { kind: 'multifactor'; steps: number[]; factor: number }
  | { kind: 'poly'; maxUpdate: number; pwr: number }
  | { kind: 'cosine'; maxUpdate: number };

const SCHEDULER_FORMS = 'factor:STEP:FACTOR, multifactor:S1,S2,...:FACTOR, poly:MAX_UPDATE[:POWER] or cosine:MAX_UPDATE';

/** `factor:STEP:FACTOR`, `multifactor:S1,S2:FACTOR`, `poly:MAX_UPDATE[:POWER]`, `cosine:MAX_UPDATE`. */
export function parseLrScheduler(v: string): LrSchedulerSpec {
  const [kind, ...rest] = v.split(':');
  const pos = (s: string | undefined, what: string): number => {
    const n = Number(s);
    if (s === undefined || s === '' || !Number.isInteger(n) || n < 1)
      fail(`${what} in '${v}' must be a positive integer (forms: ${SCHEDULER_FORMS}).`);
    return n;
  };
  const factor = (s: string | undefined): number => {
    const n = Number(s);
    if (s === undefined || s === '' || !(n > 0 && n <= 1))
      fail(`FACTOR in '${v}' must be in (0, 1] (forms: ${SCHEDULER_FORMS}).`);
    return n;
  };
  const arity = (n: number, m = n): void => {
    if (rest.length < n || rest.length > m) fail(`'${v}' has the wrong number of fields (forms: ${SCHEDULER_FORMS}).`);
  };
  switch (kind) {
    case 'factor':
      arity(2);
      return { kind, step: pos(rest[0], 'STEP'), factor: factor(rest[1]) };
    case 'multifactor': {
      arity(2);
      const steps = rest[0]!.split(',').map((s) => pos(s, 'each step'));
      if (steps.some((s, i) => i > 0 && s <= steps[i - 1]!)) fail(`the steps in '${v}' must increase.`);
      return { kind, steps, factor: factor(rest[1]) };
    }
    case 'poly': {
      arity(1, 2);
      const pwr = rest[1] === undefined ? 2 : Number(rest[1]);
      if (!(pwr > 0)) fail(`POWER in '${v}' must be a positive number.`);
      return { kind, maxUpdate: pos(rest[0], 'MAX_UPDATE'), pwr };
    }
    case 'cosine':
      arity(1);
      return { kind, maxUpdate: pos(rest[0], 'MAX_UPDATE') };
    default:
      return fail(`unknown scheduler '${kind}' (forms: ${SCHEDULER_FORMS}).`);
  }
}

/** The parameter initializer. */
export type InitSpec = { kind: 'xavier'; magnitude: number } | { kind: 'uniform' | 'uniform-all'; scale: number };

/**
 * `xavier[:MAGNITUDE]` (lstm_bucketing's Xavier(factor_type='in', magnitude=2.34)), `uniform[:SCALE]`
 * (MXNet's Uniform: weights only, biases 0) or `uniform-all[:SCALE]` (every parameter, as PyTorch's
 * `nn.init.uniform_` over all parameters in the reference script).
 */
export function parseInit(v: string): InitSpec {
  const [kind, arg, ...extra] = v.split(':');
  const n = arg === undefined ? undefined : Number(arg);
  if (extra.length > 0 || (n !== undefined && !(n > 0 && Number.isFinite(n)))) {
    fail(`'${v}' is not xavier[:MAGNITUDE], uniform[:SCALE] or uniform-all[:SCALE] with a positive number.`);
  }
  if (kind === 'xavier') return { kind, magnitude: n ?? 2.34 };
  if (kind === 'uniform' || kind === 'uniform-all') return { kind, scale: n ?? 0.1 };
  return fail(`unknown initializer '${kind}' (xavier[:MAGNITUDE], uniform[:SCALE] or uniform-all[:SCALE]).`);
}
