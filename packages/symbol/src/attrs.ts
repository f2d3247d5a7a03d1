// Operator attribute schemas: typed parameters in TS (camelCase), MXNet's snake_case strings in
// graphs and JSON. Reading is tolerant (any spelling dmlc-core accepts, plus Python 2 `3L` ints);
// writing produces what MXNet's Python front end writes (`str()` of the value).

import { ValueError } from '@bkt/ndarray/core';
import { pyBool, pyNumber, pyTuple, snakeCase } from './pyrepr.js';

export type AttrType =
  | { readonly kind: 'int' }
  | { readonly kind: 'float' }
  | { readonly kind: 'bool' }
  | { readonly kind: 'string' }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'shape' }
  | { readonly kind: 'axes' }
  | { readonly kind: 'optional'; readonly inner: AttrType };

/** One parameter as declared by an operator. `T` is its TS value type. */
export interface FieldSpec<T> {
  readonly type: AttrType;
  /** MXNet's key; derived from the TS key (`numHidden` -> `num_hidden`) when absent. */
  readonly mx?: string;
  readonly default?: T;
  readonly required?: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly describe?: string;
}

/** A resolved field of a schema. */
export interface AttrField {
  readonly key: string;
  readonly mx: string;
  readonly type: AttrType;
  readonly default: unknown;
  readonly required: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly describe?: string;
}

type Opts<T> = Omit<FieldSpec<T>, 'type'>;

/** Field constructors: `attr.int({ required: true, min: 1 })`, `attr.bool(false)` ... */
export const attr = {
  int: (o: Opts<number> = {}): FieldSpec<number> => ({ type: { kind: 'int' }, ...o }),
  float: (o: Opts<number> = {}): FieldSpec<number> => ({ type: { kind: 'float' }, ...o }),
  bool: (dflt: boolean, o: Opts<boolean> = {}): FieldSpec<boolean> => ({ type: { kind: 'bool' }, default: dflt, ...o }),
  string: (o: Opts<string> = {}): FieldSpec<string> => ({ type: { kind: 'string' }, ...o }),
  enumOf: <const V extends string>(values: readonly V[], o: Opts<V> = {}): FieldSpec<V> => ({
    type: { kind: 'enum', values },
    ...o,
  }),
  shape: (o: Opts<number[]> = {}): FieldSpec<number[]> => ({ type: { kind: 'shape' }, ...o }),
  /** An axis or a tuple of axes (MXNet's TShape), kept as written: Python's `axis=1` is `"1"`. */
  axes: (o: Opts<number | number[]> = {}): FieldSpec<number | number[]> => ({ type: { kind: 'axes' }, ...o }),
  optional: <T>(inner: FieldSpec<T>, o: Opts<T | null> = {}): FieldSpec<T | null> => ({
    type: { kind: 'optional', inner: inner.type },
    default: null,
    ...o,
  }),
};

export type ParamsOf<S> = { -readonly [K in keyof S]: S[K] extends FieldSpec<infer T> ? T : never };

/** True for MXNet's hidden attribute spelling `__name__`, which every operator accepts and ignores. */
export function isHiddenKey(key: string): boolean {
  return key.length > 4 && key.startsWith('__') && key.endsWith('__');
}

export class AttrSchema<P extends object = Record<string, unknown>> {
  readonly fields: readonly AttrField[];
  private readonly byMx = new Map<string, AttrField>();
  private readonly byKey = new Map<string, AttrField>();

  private readonly allowUnknown: boolean;

  /** `allowUnknown`: accept (and ignore) keys the schema does not declare. */
  constructor(spec: { [K in keyof P]: FieldSpec<P[K]> }, opts: { allowUnknown?: boolean } = {}) {
    this.allowUnknown = opts.allowUnknown ?? false;
    const fields: AttrField[] = [];
    for (const [key, s] of Object.entries(spec) as [string, FieldSpec<unknown>][]) {
      const required = s.required ?? (s.default === undefined && s.type.kind !== 'optional');
      const f: AttrField = {
        key,
        mx: s.mx ?? snakeCase(key),
        type: s.type,
        default: s.type.kind === 'optional' && s.default === undefined ? null : s.default,
        required,
        ...(s.min !== undefined ? { min: s.min } : {}),
        ...(s.max !== undefined ? { max: s.max } : {}),
        ...(s.describe !== undefined ? { describe: s.describe } : {}),
      };
      fields.push(f);
      this.byMx.set(f.mx, f);
      this.byKey.set(f.key, f);
    }
    this.fields = fields;
  }

  /** The field with TS key `key`, if any. */
  field(key: string): AttrField | undefined {
    return this.byKey.get(key);
  }

  /** The field with MXNet key `mx`, if any. */
  fieldByMx(mx: string): AttrField | undefined {
    return this.byMx.get(mx);
  }

  /**
   * Typed parameters from an MXNet attribute dict. Hidden keys (`__x__`) are ignored; unknown
   * keys, missing required keys and unparsable values raise ValueError prefixed with `where`.
   */
  parse(dict: Readonly<Record<string, string>>, where: string): P {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(dict)) {
      if (!this.allowUnknown && !this.byMx.has(k) && !isHiddenKey(k)) {
        const known = this.fields.map((f) => f.mx).join(', ') || 'none';
        throw new ValueError(`${where}: unknown parameter '${k}' (parameters: ${known})`);
      }
    }
    for (const f of this.fields) {
      const text = dict[f.mx];
      if (text === undefined) {
        if (f.required) throw new ValueError(`${where}: required parameter '${f.mx}' is missing`);
        out[f.key] = cloneDefault(f.default);
        continue;
      }
      const v = parseValue(f.type, text);
      if (v === INVALID) {
        throw new ValueError(`${where}: invalid value '${text}' for parameter '${f.mx}' (${describeType(f.type)})`);
      }
      checkBounds(f, v, where);
      out[f.key] = v;
    }
    return out as P;
  }

  /**
   * MXNet strings for the given TS values (keys left undefined are omitted, as MXNet only stores
   * what the caller passed). Raises ValueError for unknown keys or values of the wrong type.
   */
  format(values: Readonly<Partial<P>>, where: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) continue;
      const f = this.byKey.get(k);
      if (!f) throw new ValueError(`${where}: unknown parameter '${k}'`);
      const text = formatValue(f.type, v);
      if (text === undefined) {
        throw new ValueError(`${where}: invalid value ${JSON.stringify(v)} for parameter '${k}' (${describeType(f.type)})`);
      }
      out[f.mx] = text;
    }
    return out;
  }
}

const INVALID: unique symbol = Symbol('invalid');

function cloneDefault(v: unknown): unknown {
  return Array.isArray(v) ? [...v] : v;
}

function describeType(t: AttrType): string {
  switch (t.kind) {
    case 'enum':
      return `one of ${t.values.map((v) => `'${v}'`).join(', ')}`;
    case 'shape':
      return 'a tuple of ints';
    case 'axes':
      return 'an int or a tuple of ints';
    case 'optional':
      return `None or ${describeType(t.inner)}`;
    default:
      return `a ${t.kind}`;
  }
}

function checkBounds(f: AttrField, v: unknown, where: string): void {
  if (typeof v !== 'number') return;
  if (f.min !== undefined && v < f.min) throw new ValueError(`${where}: parameter '${f.mx}' must be >= ${f.min}, got ${v}`);
  if (f.max !== undefined && v > f.max) throw new ValueError(`${where}: parameter '${f.mx}' must be <= ${f.max}, got ${v}`);
}

const INT_RE = /^[+-]?\d+[lL]?$/;
const FLOAT_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

// Integers JS cannot hold exactly (beyond ±2^53) are invalid rather than silently rounded.
function parseInt_(s: string): number | typeof INVALID {
  const t = s.trim();
  const v = INT_RE.test(t) ? Number(t.replace(/[lL]$/, '')) : parseFloat_(t);
  return v !== INVALID && Number.isSafeInteger(v) ? v : INVALID;
}

function parseFloat_(s: string): number | typeof INVALID {
  const t = s.trim().toLowerCase();
  if (FLOAT_RE.test(t)) return Number(t);
  if (t === 'inf' || t === '+inf' || t === 'infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  if (t === 'nan') return NaN;
  return INVALID;
}

function parseShape(s: string): number[] | typeof INVALID {
  let t = s.trim();
  if ((t.startsWith('(') && t.endsWith(')')) || (t.startsWith('[') && t.endsWith(']'))) t = t.slice(1, -1);
  const parts = t.split(',').map((p) => p.trim());
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop(); // "(5,)" and "()"
  const out: number[] = [];
  for (const p of parts) {
    const v = parseInt_(p);
    if (v === INVALID) return INVALID;
    out.push(v);
  }
  return out;
}

export function parseValue(t: AttrType, s: string): unknown {
  switch (t.kind) {
    case 'int':
      return parseInt_(s);
    case 'float':
      return parseFloat_(s);
    case 'bool': {
      const v = s.trim().toLowerCase();
      if (v === 'true' || v === '1') return true;
      if (v === 'false' || v === '0') return false;
      return INVALID;
    }
    case 'string':
      return s;
    case 'enum':
      return t.values.includes(s.trim()) ? s.trim() : INVALID;
    case 'shape':
      return parseShape(s);
    case 'axes':
      return INT_RE.test(s.trim()) ? parseInt_(s) : parseShape(s);
    case 'optional':
      return s.trim() === 'None' ? null : parseValue(t.inner, s);
  }
}

export function formatValue(t: AttrType, v: unknown): string | undefined {
  switch (t.kind) {
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) ? String(v) : undefined;
    case 'float':
      return typeof v === 'number' ? pyNumber(v) : undefined;
    case 'bool':
      return typeof v === 'boolean' ? pyBool(v) : undefined;
    case 'string':
      return typeof v === 'string' ? v : undefined;
    case 'enum':
      return typeof v === 'string' && t.values.includes(v) ? v : undefined;
    case 'shape':
      return Array.isArray(v) && v.every((d) => Number.isInteger(d)) ? pyTuple(v as number[]) : undefined;
    case 'axes':
      return Number.isInteger(v) ? String(v) : formatValue({ kind: 'shape' }, v);
    case 'optional':
      return v === null ? 'None' : formatValue(t.inner, v);
  }
}
