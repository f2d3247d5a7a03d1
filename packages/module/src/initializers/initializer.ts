// MXNet's Initializer: fills a parameter array according to its name. An `__init__` attribute on the
// variable (JSON `["<initializer>", {kwargs}]`) wins and that initializer's weight rule fills the
// array whatever its name; otherwise the name's suffix decides:
//   *weight → this initializer's weight rule    *bias, *beta → 0    *gamma → 1
//   *min → 0    *max → 1    *moving_mean, *moving_avg → 0    *moving_var, *moving_inv_var → 1
// and any other name is a ValueError. Random initializers draw from @bkt/ndarray's global generator,
// so `seed(n)` makes them reproducible.
//
// The registry (MXNet's @register) maps lower-case names to factories taking the JSON kwargs; every
// initializer module registers itself, and `createInitializer` builds one from a name, a JSON text or
// an `[name, kwargs]` pair.

import { type NDArray, norm, RowSparseNDArray, sparse, ValueError, zeros } from '@bkt/ndarray';
import { pyFloat, pyNumber } from '@bkt/symbol';
import { InitDesc } from './init-desc.js';

/** Keyword arguments as they appear in `__init__` JSON (snake_case; camelCase is accepted too). */
export type InitKwargs = Readonly<Record<string, unknown>>;

/** An Initializer, its name, its JSON text (`'["xavier", {...}]'`) or an `[name, kwargs]` pair. */
export type InitializerSpec = Initializer | string | readonly [string, InitKwargs];

type Factory = (kwargs: InitKwargs) => Initializer;
const registry = new Map<string, Factory>();

/** Registers a factory under names matched case-insensitively. */
export function registerInitializer(names: readonly string[], factory: Factory): void {
  for (const n of names) registry.set(n.toLowerCase(), factory);
}

export function listInitializers(): string[] {
  return [...registry.keys()].sort();
}

/** MXNet's initializer.create. */
export function createInitializer(spec: InitializerSpec, kwargs: InitKwargs = {}): Initializer {
  if (spec instanceof Initializer) return spec;
  if (Array.isArray(spec)) {
    const [name, kw] = spec as readonly [string, InitKwargs];
    return createInitializer(name, { ...kw, ...kwargs });
  }
  if (typeof spec !== 'string') throw new ValueError(`createInitializer: cannot make an initializer from ${String(spec)}`);
  const text = spec.trim();
  if (text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ValueError(`createInitializer: '${spec}' is not valid JSON`);
    }
    if (!Array.isArray(parsed) || typeof parsed[0] !== 'string')
      throw new ValueError(`createInitializer: '${spec}' is not ["name", {kwargs}]`);
    return createInitializer(parsed[0], { ...((parsed[1] as InitKwargs | undefined) ?? {}), ...kwargs });
  }
  const factory = registry.get(text.toLowerCase());
  if (factory === undefined) {
    throw new ValueError(
      `createInitializer: '${spec}' is not a registered initializer (known: ${listInitializers().join(', ')})`,
    );
  }
  return factory(kwargs);
}

/** A kwarg by its snake_case name or its camelCase spelling. */
export function kwarg<T>(kwargs: InitKwargs, snake: string, fallback: T): T {
  if (kwargs[snake] !== undefined) return kwargs[snake] as T;
  const camel = snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  if (kwargs[camel] !== undefined) return kwargs[camel] as T;
  return fallback;
}

/** JSON texts of kwargs in the Python front end's spelling (`1.0`, `3`, `"avg"`, `true`, `null`). */
export const json = {
  float: (x: number): string => pyFloat(x),
  number: (x: number): string => pyNumber(x),
  value: (x: unknown): string => (typeof x === 'number' ? pyNumber(x) : JSON.stringify(x ?? null)),
};

/** Copies `src` into `arr` (converting the dtype) and frees `src`. */
export function assign(arr: NDArray, src: NDArray): void {
  try {
    src.copyTo(arr);
  } finally {
    src.dispose();
  }
}

/** The dtype to draw random numbers in for `arr` (float64 stays float64, the rest go through float32). */
export const drawDType = (arr: NDArray): 'float32' | 'float64' => (arr.dtype === 'float64' ? 'float64' : 'float32');

export abstract class Initializer {
  /** The registered name written by dumps(). */
  readonly kind: string;
  /** `[key, JSON text]` pairs written by dumps(). */
  protected readonly kwargs: readonly (readonly [string, string])[];
  private verbose = false;
  private printFunc: ((arr: NDArray) => string) | undefined;
  private logger: (m: string) => void = (m) => console.info(m);

  constructor(kind: string, kwargs: readonly (readonly [string, string])[] = []) {
    this.kind = kind;
    this.kwargs = kwargs;
  }

  /** Logs every initialized array with a statistic (default: its norm / sqrt(size)). */
  setVerbosity(verbose = false, printFunc?: (arr: NDArray) => string, logger?: (m: string) => void): this {
    this.verbose = verbose;
    this.printFunc = printFunc;
    if (logger) this.logger = logger;
    return this;
  }

  protected report(desc: InitDesc, how: string, arr: NDArray): void {
    if (!this.verbose) return;
    let stat: string;
    if (this.printFunc) {
      stat = this.printFunc(arr);
    } else {
      const n = norm(arr.dtype === 'float32' || arr.dtype === 'float64' ? arr : arr.astype('float32'));
      try {
        stat = String(n.asScalar() / Math.sqrt(Math.max(1, arr.size)));
      } finally {
        n.dispose();
      }
    }
    this.logger(`Initialized ${desc.name} as ${how}: ${stat}`);
  }

  /** MXNet's Initializer.dumps(): `["<kind>", {kwargs}]` as Python's json.dumps writes it. */
  dumps(): string {
    const body = this.kwargs.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(', ');
    return `[${JSON.stringify(this.kind)}, {${body}}]`;
  }

  toString(): string {
    return this.dumps();
  }

  /** Initializes `arr` by the `__init__` attribute of `desc` or by its name (see the file comment). */
  init(desc: InitDesc | string, arr: NDArray): void {
    if (arr instanceof RowSparseNDArray) {
      // As MXNet's samplers and fills writing into a row_sparse array: every row becomes stored.
      const dense = zeros(arr.shape, { dtype: arr.dtype, ctx: arr.context });
      try {
        this.init(desc, dense);
        sparse.assignAllRows(arr, dense);
      } finally {
        dense.dispose();
      }
      return;
    }
    let d = typeof desc === 'string' ? new InitDesc(desc) : desc;
    if (d.globalInit === undefined) d = d.withGlobalInit(this);
    const spec = d.attrs.__init__;
    if (spec) {
      createInitializer(spec).initWeight(d, arr);
      this.report(d, spec, arr);
      return;
    }
    const name = d.name;
    const rules: [string, string, () => void][] = [
      ['weight', 'weight', () => this.initWeight(d, arr)],
      ['bias', 'bias', () => this.initBias(d, arr)],
      ['gamma', 'gamma', () => this.initGamma(d, arr)],
      ['beta', 'beta', () => this.initBeta(d, arr)],
      ['min', 'zero', () => this.initZero(d, arr)],
      ['max', 'one', () => this.initOne(d, arr)],
      ['moving_mean', 'zero', () => this.initZero(d, arr)],
      ['moving_avg', 'zero', () => this.initZero(d, arr)],
      ['moving_var', 'one', () => this.initOne(d, arr)],
      ['moving_inv_var', 'one', () => this.initOne(d, arr)],
    ];
    for (const [suffix, how, run] of rules) {
      if (name.endsWith(suffix)) {
        run();
        this.report(d, how, arr);
        return;
      }
    }
    this.initDefault(d, arr);
  }

  /** The rule for weights (and for any array whose `__init__` names this initializer). */
  abstract initWeight(desc: InitDesc, arr: NDArray): void;

  protected initBias(_desc: InitDesc, arr: NDArray): void {
    arr.fill(0);
  }

  protected initGamma(_desc: InitDesc, arr: NDArray): void {
    arr.fill(1);
  }

  protected initBeta(_desc: InitDesc, arr: NDArray): void {
    arr.fill(0);
  }

  protected initZero(_desc: InitDesc, arr: NDArray): void {
    arr.fill(0);
  }

  protected initOne(_desc: InitDesc, arr: NDArray): void {
    arr.fill(1);
  }

  protected initDefault(desc: InitDesc, _arr: NDArray): void {
    throw new ValueError(
      `Unknown initialization pattern for '${desc.name}': by name only *weight, *bias, *gamma (1), *beta (0), *min, *max and ` +
        'BatchNorm moving statistics are known; give the variable an init (its __init__ attribute) to choose one',
    );
  }
}
