// The base of every optimizer (MXNet's mx.optimizer.Optimizer) and the registry behind create().
// Optimizers compute the per-step scalars here in JS (learning rate from the scheduler and the
// lr/wd multipliers, bias corrections) and name the fused native update each parameter takes; an
// update of many parameters at once runs them in one native call per kind of update.
import {
  checkFiniteNumber,
  type DType,
  DTypeError,
  type FusedUpdateOp,
  type FusedUpdateOptions,
  fusedUpdate,
  type MultiUpdateItem,
  multiUpdate,
  type NDArray,
  ShapeError,
  ValueError,
} from '@bkt/ndarray';

import type { LRScheduler } from './lr-scheduler/scheduler.js';
import { boolean, checkClassOptions, finite, finiteOrNull, keyed, objectWith, type OptionSpec } from './option-spec.js';

/** A parameter's key: MXNet's integer index, or a name (kvstore string keys). */
export type ParamKey = number | string;

/** The part of a Symbol the optimizer reads: `__lr_mult__` / `__wd_mult__` attributes of its arguments. */
export interface SymbolInfo {
  attrDict(): Readonly<Record<string, Readonly<Record<string, string>>>>;
  listArguments(): readonly string[];
}

/** Keys map to values; a plain object's integer-looking keys ('3') are taken as indices (3). */
export type KeyedValues<V> = ReadonlyMap<ParamKey, V> | Readonly<Record<string, V>>;

export interface OptimizerOptions {
  /**
   * The learning rate. Each optimizer has MXNet's default (0.01 for SGD, 0.001 for Adam ...); with an
   * lrScheduler it overwrites the scheduler's baseLr, as in MXNet. null takes the rate from the scheduler.
   */
  learningRate?: number | null;
  /** Weight decay (L2), 0 by default. */
  wd?: number;
  /** Multiplies every gradient first (often 1 / batch size); 1 by default. */
  rescaleGrad?: number;
  /** Clips the rescaled gradient to [-c, c]; null (off) by default. */
  clipGradient?: number | null;
  lrScheduler?: LRScheduler | null;
  /** The update count to start from (0). */
  beginNumUpdate?: number;
  /** Keep float32 master copies of float16 and bfloat16 weights and update those (false). */
  multiPrecision?: boolean;
  /** Parameter names by index: they select lr/wd multipliers and the default wd multipliers. */
  paramIdx2Name?: KeyedValues<string>;
  /** A symbol whose arguments' `__lr_mult__` / `__wd_mult__` attributes set the multipliers. */
  sym?: SymbolInfo;
}

/**
 * One parameter's fused update, as an optimizer's fusedStep describes it: the `@bkt/ndarray` update
 * (`sgdMomUpdate`, `adamUpdate` ...), its state arrays in that update's order, and its options.
 */
export type FusedStep = {
  [K in FusedUpdateOp]: { op: K; states: readonly NDArray[]; opts: FusedUpdateOptions[K] };
}[FusedUpdateOp];

/** Per-parameter state: optimizer arrays (momentum, moments ...) and, with multiPrecision, the float32 master weight. */
export interface OptimizerState {
  master: NDArray | null;
  arrays: NDArray[];
}

export function toKeyMap<V>(values: KeyedValues<V> | undefined): Map<ParamKey, V> {
  if (values === undefined) return new Map();
  if (values instanceof Map) return new Map(values);
  const out = new Map<ParamKey, V>();
  for (const [k, v] of Object.entries(values as Record<string, V>)) {
    out.set(/^(0|-?[1-9]\d*)$/.test(k) ? Number(k) : k, v);
  }
  return out;
}

/** MXNet's default: only parameters named `*_weight` or `*_gamma` get weight decay. */
const noWeightDecayByName = (name: string): boolean => !(name.endsWith('_weight') || name.endsWith('_gamma'));

/** float16 and bfloat16 weights update through a float32 master copy (the fused updates need one). */
const isSixteenBit = (dtype: DType): boolean => dtype === 'float16' || dtype === 'bfloat16';

const fmt = (shape: readonly number[]): string => `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;

export abstract class Optimizer {
  /** The checks of OptimizerOptions; each subclass declares those of the options it adds. */
  static readonly optionSpec: OptionSpec = {
    learningRate: finiteOrNull({ min: 0 }),
    wd: finite(),
    rescaleGrad: finite(),
    clipGradient: finiteOrNull(),
    lrScheduler: objectWith('a learning-rate scheduler', ['lr', 'stateScalars', 'loadStateScalars']),
    beginNumUpdate: finite({ min: 0, integer: true }),
    multiPrecision: boolean,
    paramIdx2Name: keyed,
    sym: objectWith('a symbol', ['attrDict', 'listArguments']),
  };

  rescaleGrad: number;
  /** The fixed learning rate, used when there is no scheduler. */
  lr: number;
  readonly lrScheduler: LRScheduler | null;
  wd: number;
  clipGradient: number | null;
  readonly multiPrecision: boolean;
  readonly beginNumUpdate: number;
  /** The largest update count of any parameter (what the scheduler sees). */
  numUpdate: number;
  /** How many times each parameter has been updated (MXNet's _index_update_count). */
  readonly indexUpdateCount = new Map<ParamKey, number>();
  readonly idx2name: Map<ParamKey, string>;
  lrMult = new Map<ParamKey, number>();
  wdMult = new Map<ParamKey, number>();
  readonly #symInfo: SymbolInfo | undefined;
  /** The options it was created with, subclass options included (a dist_async store rebuilds it from them on its servers). */
  readonly createOptions: Readonly<Record<string, unknown>>;

  /** `defaultLearningRate` is the subclass's MXNet default (undefined: 0.01, or the scheduler's). */
  constructor(opts: OptimizerOptions = {}, defaultLearningRate?: number) {
    checkClassOptions(registeredName(new.target), opts, new.target, Optimizer);
    this.createOptions = Object.freeze({ ...opts });
    this.rescaleGrad = opts.rescaleGrad ?? 1;
    this.lrScheduler = opts.lrScheduler ?? null;
    const given = opts.learningRate === undefined ? defaultLearningRate : opts.learningRate;
    const learningRate = given ?? (this.lrScheduler === null ? 0.01 : null);
    this.lr = learningRate ?? this.lrScheduler!.baseLr;
    if (this.lrScheduler !== null && learningRate !== null) this.lrScheduler.baseLr = learningRate;
    this.wd = opts.wd ?? 0;
    this.clipGradient = opts.clipGradient ?? null;
    this.multiPrecision = opts.multiPrecision ?? false;
    this.beginNumUpdate = opts.beginNumUpdate ?? 0;
    this.numUpdate = this.beginNumUpdate;
    this.idx2name = toKeyMap(opts.paramIdx2Name);
    this.#symInfo = opts.sym;
    this.setLrMult({});
    this.setWdMult({});
  }

  /** The name this optimizer is registered under (the class name in lower case by default). */
  get name(): string {
    return registeredName(this.constructor as OptimizerClass);
  }

  /** The current learning rate: the scheduler's at numUpdate, else lr. */
  get learningRate(): number {
    return this.lrScheduler !== null ? this.lrScheduler.lr(this.numUpdate) : this.lr;
  }

  /** Sets lr; a ValueError when a scheduler owns the rate (MXNet raises too). */
  setLearningRate(lr: number): void {
    if (this.lrScheduler !== null) {
      throw new ValueError(
        `${this.name}: the learning rate is set by its lrScheduler; setLearningRate needs an optimizer without one`,
      );
    }
    this.lr = checkFiniteNumber(lr, `${this.name}.setLearningRate`, 'lr', { min: 0 });
  }

  /**
   * Learning-rate multipliers by parameter name or index; the symbol's `__lr_mult__` attributes come
   * first and `mults` overrides them.
   */
  setLrMult(mults: KeyedValues<number>): void {
    const out = new Map<ParamKey, number>();
    this.fromSymbol('__lr_mult__', out);
    for (const [k, v] of toKeyMap(mults)) out.set(k, checkFiniteNumber(v, `${this.name}.setLrMult`, `the multiplier of '${k}'`));
    this.lrMult = out;
  }

  /**
   * Weight-decay multipliers. MXNet's default: when paramIdx2Name is given, every named parameter
   * whose name ends in neither `_weight` nor `_gamma` (biases, BatchNorm betas ...) gets 0. Then the
   * symbol's `__wd_mult__` attributes, then `mults`.
   */
  setWdMult(mults: KeyedValues<number>): void {
    const out = new Map<ParamKey, number>();
    for (const name of this.idx2name.values()) {
      if (noWeightDecayByName(name)) out.set(name, 0);
    }
    this.fromSymbol('__wd_mult__', out);
    for (const [k, v] of toKeyMap(mults)) out.set(k, checkFiniteNumber(v, `${this.name}.setWdMult`, `the multiplier of '${k}'`));
    this.wdMult = out;
  }

  private fromSymbol(
    attr: string,
    out: Map<ParamKey, number>,
    sym: SymbolInfo | undefined = this.#symInfo,
    only?: ReadonlySet<string>,
  ): void {
    if (sym === undefined) return;
    const attrs = sym.attrDict();
    for (const name of sym.listArguments()) {
      if (only && !only.has(name)) continue;
      const value = Object.hasOwn(attrs, name) ? attrs[name]![attr] : undefined;
      if (value !== undefined) out.set(name, Number(value));
    }
  }

  /**
   * Names parameters that appear after construction (a bucket of a BucketingModule that uses a
   * parameter the default bucket lacks): the index → name entries, MXNet's default weight-decay rule
   * for the new names, and the `__lr_mult__`/`__wd_mult__` attributes `sym` gives them. Multipliers
   * already set for a name are kept.
   */
  addParamNames(idx2name: Iterable<readonly [ParamKey, string]>, sym?: SymbolInfo): void {
    const fresh = new Set<string>();
    const known = new Set(this.idx2name.values());
    for (const [index, name] of idx2name) {
      this.idx2name.set(index, name);
      if (!known.has(name) && !this.lrMult.has(name) && !this.wdMult.has(name)) fresh.add(name);
    }
    if (fresh.size === 0) return;
    for (const name of fresh) if (noWeightDecayByName(name)) this.wdMult.set(name, 0);
    this.fromSymbol('__lr_mult__', this.lrMult, sym, fresh);
    this.fromSymbol('__wd_mult__', this.wdMult, sym, fresh);
  }

  /** Counts one more update of `index` (MXNet's _update_count). */
  protected updateCount(index: ParamKey): void {
    const count = (this.indexUpdateCount.get(index) ?? this.beginNumUpdate) + 1;
    this.indexUpdateCount.set(index, count);
    this.numUpdate = Math.max(count, this.numUpdate);
  }

  /** This parameter's update count (call after updateCount). */
  protected stepCount(index: ParamKey): number {
    return this.indexUpdateCount.get(index)!;
  }

  private mult(table: Map<ParamKey, number>, index: ParamKey): number {
    const direct = table.get(index);
    if (direct !== undefined) return direct;
    const name = this.idx2name.get(index);
    return name === undefined ? 1 : (table.get(name) ?? 1);
  }

  /** The learning rate of `index`: the scheduler's (or lr) times its multiplier. */
  protected getLr(index: ParamKey): number {
    const base = this.lrScheduler !== null ? this.lrScheduler.lr(this.numUpdate) : this.lr;
    return base * this.mult(this.lrMult, index);
  }

  /** The weight decay of `index`: wd times its multiplier. */
  protected getWd(index: ParamKey): number {
    return this.wd * this.mult(this.wdMult, index);
  }

  /** MXNet passes clip_gradient to its fused ops only when it is truthy; -1 turns clipping off. */
  protected get fusedClip(): number {
    return this.clipGradient ? this.clipGradient : -1;
  }

  /** The updates MXNet writes in Python clip whenever clip_gradient is not None (0 clips to zero). */
  protected get pythonClip(): number {
    return this.clipGradient ?? -1;
  }

  /** The state arrays for a weight (already in the compute dtype: float32 or float64). */
  abstract createState(index: ParamKey, weight: NDArray): NDArray[];

  /** createState, plus a float32 master copy when multiPrecision is on and the weight is float16 or bfloat16. */
  createStateMultiPrecision(index: ParamKey, weight: NDArray): OptimizerState {
    if (isSixteenBit(weight.dtype)) {
      if (!this.multiPrecision) {
        throw new DTypeError(
          `${this.name}: ${this.describe(index)} has a ${weight.dtype} weight; create the optimizer with ` +
            'multiPrecision: true (updates run on a float32 master copy)',
        );
      }
      const master = weight.astype('float32');
      return { master, arrays: this.createState(index, master) };
    }
    return { master: null, arrays: this.createState(index, weight) };
  }

  /**
   * Updates `weight` in place from `grad`, with the state from createStateMultiPrecision. Given lists
   * (MXNet's aggregated update), updates every listed parameter in order, with one native call per
   * kind of fused update (MXNet's multi_sgd_update ...) instead of one per parameter; each parameter
   * keeps its own update count, learning rate and weight decay, and the results are bit for bit those
   * of updating the parameters one by one. Every parameter is checked before any changes.
   */
  update(index: ParamKey, weight: NDArray, grad: NDArray, state: OptimizerState): void;
  update(
    indices: readonly ParamKey[],
    weights: readonly NDArray[],
    grads: readonly NDArray[],
    states: readonly OptimizerState[],
  ): void;
  update(
    index: ParamKey | readonly ParamKey[],
    weight: NDArray | readonly NDArray[],
    grad: NDArray | readonly NDArray[],
    state: OptimizerState | readonly OptimizerState[],
  ): void {
    if (!Array.isArray(index)) {
      const [w, g, s] = [weight as NDArray, grad as NDArray, state as OptimizerState];
      this.checkOperands(index as ParamKey, w, g, s);
      const step: WideStep = this.fusedStep(index as ParamKey, w, g, s.arrays, s.master ?? undefined);
      fusedUpdate(step.op, w, g, step.states, step.opts);
      return;
    }
    this.updateMany(index, weight as readonly NDArray[], grad as readonly NDArray[], state as readonly OptimizerState[]);
  }

  private updateMany(
    indices: readonly ParamKey[],
    weights: readonly NDArray[],
    grads: readonly NDArray[],
    states: readonly OptimizerState[],
  ): void {
    const n = indices.length;
    if (![weights, grads, states].every((list) => Array.isArray(list) && list.length === n)) {
      throw new ValueError(
        `${this.name}.update: ${n} indices need as many weights, gradients and states, got ` +
          [weights, grads, states].map((l) => (Array.isArray(l) ? l.length : typeof l)).join(', '),
      );
    }
    const seen = new Set<ParamKey>();
    indices.forEach((index, k) => {
      if (seen.has(index)) throw new ValueError(`${this.name}.update: ${this.describe(index)} is listed twice`);
      seen.add(index);
      this.checkOperands(index, weights[k]!, grads[k]!, states[k]!);
    });
    // In index order, as one by one: the update counts, the scheduler's rate and Nadam's schedule advance alike.
    const batches = new Map<FusedUpdateOp, MultiUpdateItem<FusedUpdateOp>[]>();
    indices.forEach((index, k) => {
      const [weight, grad, state] = [weights[k]!, grads[k]!, states[k]!];
      const step: WideStep = this.fusedStep(index, weight, grad, state.arrays, state.master ?? undefined);
      // A row_sparse gradient takes its own lazy update.
      if (grad.stype !== 'default') {
        fusedUpdate(step.op, weight, grad, step.states, step.opts);
        return;
      }
      let items = batches.get(step.op);
      if (items === undefined) batches.set(step.op, (items = []));
      items.push({ weight, grad, states: step.states, opts: step.opts });
    });
    for (const [op, items] of batches) multiUpdate(op, items);
  }

  private checkOperands(index: ParamKey, weight: NDArray, grad: NDArray, state: OptimizerState): void {
    const where = this.describe(index);
    if (!sameShape(weight.shape, grad.shape)) {
      throw new ShapeError(
        `${this.name}: the gradient of ${where} has shape ${fmt(grad.shape)} but the weight has ${fmt(weight.shape)}`,
      );
    }
    for (const a of [...(state.master ? [state.master] : []), ...state.arrays]) {
      if (!sameShape(a.shape, weight.shape)) {
        throw new ShapeError(
          `${this.name}: the weight of ${where} has shape ${fmt(weight.shape)} but its optimizer state was created for ${fmt(a.shape)}`,
        );
      }
    }
    if (isSixteenBit(weight.dtype) && state.master === null) {
      throw new DTypeError(
        `${this.name}: ${where} has a ${weight.dtype} weight but no float32 master copy; use multiPrecision: true`,
      );
    }
  }

  /**
   * The fused update of one parameter. Implementations call updateCount(index) first, as MXNet does,
   * then read getLr / getWd; `weight32` (the master copy) goes into the options.
   */
  protected abstract fusedStep(
    index: ParamKey,
    weight: NDArray,
    grad: NDArray,
    states: NDArray[],
    weight32: NDArray | undefined,
  ): FusedStep;

  /** The optimizer's own mutable numbers (lr, numUpdate, scheduler state ...) for the updater's state file. */
  stateScalars(): Record<string, number> {
    const out: Record<string, number> = { lr: this.lr, numUpdate: this.numUpdate };
    if (this.lrScheduler !== null) {
      for (const [k, v] of Object.entries(this.lrScheduler.stateScalars())) out[`lrScheduler.${k}`] = v;
    }
    return out;
  }

  /** Restores what stateScalars returned; names that do not apply are ignored. */
  loadStateScalars(s: Readonly<Record<string, number>>): void {
    if (s.lr !== undefined) this.lr = s.lr;
    if (s.numUpdate !== undefined) this.numUpdate = s.numUpdate;
    if (this.lrScheduler !== null) {
      const sched: Record<string, number> = {};
      for (const [k, v] of Object.entries(s)) if (k.startsWith('lrScheduler.')) sched[k.slice('lrScheduler.'.length)] = v;
      this.lrScheduler.loadStateScalars(sched);
    }
  }

  /** "index 3 ('fc1_weight')" for error messages. */
  protected describe(index: ParamKey): string {
    const name = this.idx2name.get(index);
    return `index ${typeof index === 'string' ? `'${index}'` : index}${name === undefined ? '' : ` ('${name}')`}`;
  }
}

/** A FusedStep as the generic update functions take it (the op no longer tied to its options' type). */
type WideStep = { op: FusedUpdateOp; states: readonly NDArray[]; opts: FusedUpdateOptions[FusedUpdateOp] };

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

// ---- registry ----

/** An optimizer class that create() can instantiate from an options object. */
export type OptimizerClass = abstract new (opts?: never) => Optimizer;
type Constructible = new (opts?: object) => Optimizer;

const registry = new Map<string, Constructible>();

/**
 * Registers an optimizer class under `name` (default: the class name in lower case, as MXNet's
 * register). Registering a taken name replaces the old class with a warning, as in MXNet.
 */
export function register<T extends OptimizerClass>(klass: T, name: string = klass.name): T {
  const key = name.toLowerCase();
  const previous = registry.get(key);
  if (previous !== undefined && previous !== (klass as unknown)) {
    process.emitWarning(`optimizer '${key}': ${klass.name} replaces the registered ${previous.name}`);
  }
  registry.set(key, klass as unknown as Constructible);
  return klass;
}

/** The registered optimizer names. */
export const knownOptimizers = (): string[] => [...registry.keys()].sort();

/** MXNet's mx.optimizer.create: an optimizer by name (case-insensitive); an unknown name is a ValueError listing the known ones. */
export function create(name: string, options: object = {}): Optimizer {
  if (typeof name !== 'string') throw new ValueError(`create: the optimizer name must be a string, got ${String(name)}`);
  const klass = registry.get(String(name).toLowerCase());
  if (klass === undefined) {
    throw new ValueError(`create: unknown optimizer '${name}'; known optimizers: ${knownOptimizers().join(', ')}`);
  }
  return new klass(options);
}

function registeredName(klass: OptimizerClass): string {
  for (const [key, k] of registry) if ((k as unknown) === klass) return key;
  return klass.name.toLowerCase();
}
