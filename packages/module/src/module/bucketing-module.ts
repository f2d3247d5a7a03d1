// MXNet's BucketingModule: one Module per bucket key, all bound against the default bucket's module,
// so they share its parameters, gradients, optimizer and intermediate arena; a batch of length 20
// costs a length-20 computation. Improvements over MXNet's `bucketing_module.py`, each tested:
// - a parameter only some buckets use is created, initialized and updated like the others (#11384);
// - `maxBuckets` bounds the bound executors, evicting the least recently used bucket (its
//   parameters stay, since the shared pool owns them);
// - keys may be numbers, strings or tuples;
// - saveCheckpoint writes every bucket's symbol (generated under a fresh NameManager, as in training),
//   the key list for any key type and, on request, the optimizer states; load restores all of them.

import { BktError, type NDArray, StateError, ValueError, setOwn } from '@bkt/ndarray';
import { NameManager, type Symbol as BktSymbol, Symbol as SymbolClass, withNameManager } from '@bkt/symbol';
import { type BucketKey, checkBatch, type DataBatch } from '../data/data-batch.js';
import { DataDesc, type DataDescLike } from '../data/data-desc.js';
import type { EvalMetric } from '../metrics/eval-metric.js';
import { type CheckpointSaveOptions, loadParams, requireStatesFile, saveParamsFile, statesFile } from '../model/checkpoint.js';
import { writeManifest } from '../model/manifest.js';
import {
  BaseModule,
  type BindOptions,
  type InitOptimizerOptions,
  type InitParamsOptions,
  type ParamDict,
  type SetParamsOptions,
  type SparseRowIdFn,
} from './base-module.js';
import { bucketKeyId, checkBucketKey } from './bucket-key.js';
import { bucketsFile, readBucketsFile, readBucketSymbol, writeBucketFiles } from './bucketing-checkpoint.js';
import { Module, type ModuleOptions } from './module.js';
import type { MonitorLike } from './types.js';
import {
  checkBindOptions,
  checkBucketingLoadOptions,
  checkBucketingOptions,
  checkInitOptimizerOptions,
  checkInitParamsOptions,
  checkSetParamsOptions,
} from './check-options.js';

/** MXNet's sym_gen: the symbol of a bucket, its data names and its label names (null: none). */
export type SymGen = (key: BucketKey) => readonly [BktSymbol, readonly string[], (readonly string[] | null)?];

export interface BucketingModuleOptions extends Omit<ModuleOptions, 'dataNames' | 'labelNames'> {
  /** The bucket bind() binds and every other bucket shares memory with: make it the largest. */
  defaultBucketKey: BucketKey;
  /** At most this many buckets keep executors (the default bucket always does). Default: no bound. */
  maxBuckets?: number | null;
}

export interface BucketingLoadOptions extends Omit<BucketingModuleOptions, 'defaultBucketKey'> {
  symGen: SymGen;
  /** Default: the one the checkpoint recorded. */
  defaultBucketKey?: BucketKey;
  /** Also restore `<prefix>-<epoch>.states` once the optimizer is initialized. */
  loadOptimizerStates?: boolean;
}

interface Bucket {
  readonly key: BucketKey;
  readonly module: Module;
  /** When switchBucket last made it current (for maxBuckets' eviction). */
  lastUsed?: number;
}

export class BucketingModule extends BaseModule {
  readonly symGen: SymGen;
  readonly defaultBucketKey: BucketKey;
  readonly maxBuckets: number | null;
  readonly #moduleOptions: Omit<ModuleOptions, 'dataNames' | 'labelNames'>;
  /** Bound buckets, in the order they were bound (lastUsed orders them by use). */
  readonly #buckets = new Map<string, Bucket>();
  /** switchBucket calls so far: a bucket's lastUsed. */
  #uses = 0;
  /** Every key ever bound, in first-use order (evicted ones included: they are checkpointed too). */
  readonly #seenKeys = new Map<string, BucketKey>();
  #currId: string | null = null;
  #monitor: MonitorLike | null = null;
  #gradReq: BindOptions['gradReq'] = 'write';
  #preloadOptStates: string | null = null;

  constructor(symGen: SymGen, opts: BucketingModuleOptions) {
    super({ logger: opts?.logger });
    checkBucketingOptions('BucketingModule', opts);
    if (typeof symGen !== 'function')
      throw new ValueError('BucketingModule: symGen must be a function key → [symbol, dataNames, labelNames]');
    if (opts?.defaultBucketKey === undefined || opts.defaultBucketKey === null)
      throw new ValueError('BucketingModule: defaultBucketKey is required');
    checkBucketKey('BucketingModule: defaultBucketKey', opts.defaultBucketKey);
    if (
      opts.maxBuckets !== undefined &&
      opts.maxBuckets !== null &&
      !(Number.isInteger(opts.maxBuckets) && opts.maxBuckets >= 1)
    ) {
      throw new ValueError(`BucketingModule: maxBuckets must be a positive integer, got ${opts.maxBuckets}`);
    }
    this.symGen = symGen;
    this.defaultBucketKey = opts.defaultBucketKey;
    this.maxBuckets = opts.maxBuckets ?? null;
    const { defaultBucketKey: _k, maxBuckets: _m, ...moduleOptions } = opts;
    this.#moduleOptions = moduleOptions;
    // MXNet validates the names once here; constructing the module runs the same checks.
    this.#newModule(this.defaultBucketKey, 'BucketingModule');
  }

  // --- buckets --------------------------------------------------------------------------------

  /** sym_gen under a fresh NameManager, so auto-named layers get the same names in every bucket (MXNet #9405). */
  #callSymGen(key: BucketKey, call: string): [BktSymbol, readonly string[], readonly string[] | null | undefined] {
    let out: ReturnType<SymGen>;
    try {
      out = withNameManager(new NameManager(), () => this.symGen(key));
    } catch (e) {
      if (e instanceof BktError) throw e;
      throw new ValueError(`${call}: symGen rejected bucket key ${bucketKeyId(key)}: ${(e as Error)?.message ?? String(e)}`);
    }
    if (!Array.isArray(out) || !(out[0] instanceof SymbolClass) || !Array.isArray(out[1])) {
      throw new ValueError(`${call}: symGen(${bucketKeyId(key)}) must return [symbol, dataNames, labelNames]`);
    }
    return [out[0], out[1], out[2]];
  }

  #newModule(key: BucketKey, call: string, symbol?: BktSymbol): Module {
    const [generated, dataNames, labelNames] = this.#callSymGen(key, call);
    return new Module(symbol ?? generated, { ...this.#moduleOptions, logger: this.logger, dataNames, labelNames });
  }

  #current(call: string): Module {
    this.requireBound(call);
    return this.#buckets.get(this.#currId!)!.module;
  }

  #defaultModule(): Module {
    return this.#buckets.get(bucketKeyId(this.defaultBucketKey))!.module;
  }

  /** The current bucket's key (null before bind). */
  get currentBucketKey(): BucketKey | null {
    return this.#currId === null ? null : (this.#buckets.get(this.#currId)?.key ?? null);
  }

  /** Keys of the buckets that hold a module, least recently used first. */
  get bucketKeys(): BucketKey[] {
    return this.#byAge().map(([, b]) => b.key);
  }

  /** The buckets, least recently used first (bound order among those never switched to). */
  #byAge(): [string, Bucket][] {
    return [...this.#buckets].sort(([, a], [, b]) => (a.lastUsed ?? 0) - (b.lastUsed ?? 0));
  }

  /** The module of a bucket (undefined when it has none, or was evicted). */
  bucketModule(key: BucketKey): Module | undefined {
    return this.#buckets.get(bucketKeyId(key))?.module;
  }

  /**
   * Makes `key` the current bucket, binding a module for it against the default bucket's module
   * (shared parameters, gradients, optimizer and arena) the first time. A bucket that is already
   * bound is not reshaped here: Module.forward reshapes when a batch's shape differs.
   */
  switchBucket(
    bucketKey: BucketKey,
    dataShapes: readonly DataDescLike[],
    labelShapes: readonly DataDescLike[] | null = null,
  ): void {
    this.requireBound('switchBucket');
    checkBucketKey('switchBucket', bucketKey);
    const id = bucketKeyId(bucketKey);
    let bucket = this.#buckets.get(id);
    if (bucket === undefined) {
      bucket = { key: bucketKey, module: this.#newModule(bucketKey, 'switchBucket') };
    }
    if (!bucket.module.binded) {
      const defaultModule = this.#defaultModule();
      bucket.module.bind(dataShapes, labelShapes, {
        forTraining: this.forTraining,
        inputsNeedGrad: this.inputsNeedGrad,
        sharedModule: defaultModule,
        gradReq: this.#gradReq,
      });
      if (this.#monitor) bucket.module.installMonitor(this.#monitor);
      this.#seenKeys.set(id, bucketKey);
    }
    // A use count rather than re-inserting into the map: switching twice per batch must not churn
    // the map's table (each rehash is garbage the young generation promotes).
    bucket.lastUsed = ++this.#uses;
    this.#buckets.set(id, bucket);
    this.#currId = id;
    this.#evict();
  }

  /** Drops the least recently used buckets beyond maxBuckets (never the default or the current one). */
  #evict(): void {
    if (this.maxBuckets === null || this.#buckets.size <= this.maxBuckets) return;
    const keep = new Set([bucketKeyId(this.defaultBucketKey), this.#currId]);
    for (const [id, bucket] of this.#byAge()) {
      if (this.#buckets.size <= this.maxBuckets) break;
      if (keep.has(id)) continue;
      // disposing copies the bucket's parameters off its devices into the shared store
      bucket.module.dispose();
      this.#buckets.delete(id);
    }
  }

  // --- properties -------------------------------------------------------------------------------

  get dataNames(): readonly string[] {
    if (this.binded) return this.#current('dataNames').dataNames;
    return this.#callSymGen(this.defaultBucketKey, 'dataNames')[1];
  }

  get outputNames(): readonly string[] {
    if (this.binded) return this.#current('outputNames').outputNames;
    return this.#callSymGen(this.defaultBucketKey, 'outputNames')[0].listOutputs();
  }

  get dataShapes(): readonly DataDesc[] {
    return this.#current('dataShapes').dataShapes;
  }

  get labelShapes(): readonly DataDesc[] | null {
    return this.#current('labelShapes').labelShapes;
  }

  get outputShapes(): readonly [string, readonly number[]][] {
    return this.#current('outputShapes').outputShapes;
  }

  override get symbol(): BktSymbol {
    return this.#current('symbol').symbol;
  }

  // --- parameters -------------------------------------------------------------------------------

  getParams(): [ParamDict, ParamDict] {
    this.requireParams('getParams');
    // the buckets share one store: this syncs every bucket's parameters (bucket-only ones included)
    return this.#current('getParams').getParams();
  }

  /** Silently ignored when already initialized and not forced (as in MXNet). */
  initParams(opts: InitParamsOptions = {}): void {
    checkInitParamsOptions('BucketingModule.initParams', opts);
    if (this.paramsInitialized && !opts.forceInit) return;
    const current = this.#current('initParams');
    // puts the values on every bound bucket's devices (they share the store)
    current.initParams({ ...opts, forceInit: true });
    if (opts.allowExtra) {
      // Extra names may be parameters of buckets not bound yet: keep them for when those bind.
      const [args, aux] = current.getParams();
      for (const [given, dict] of [
        [opts.argParams, args],
        [opts.auxParams, aux],
      ] as const) {
        for (const [n, v] of Object.entries(given ?? {})) if (!Object.hasOwn(dict, n)) setOwn(dict, n, v.copy());
      }
    }
    this.paramsInitialized = true;
  }

  override setParams(
    argParams: Readonly<Record<string, NDArray>>,
    auxParams: Readonly<Record<string, NDArray>>,
    opts: SetParamsOptions = {},
  ): void {
    checkSetParamsOptions('BucketingModule.setParams', opts);
    if (!opts.allowMissing) {
      this.initParams({
        initializer: null,
        argParams,
        auxParams,
        allowMissing: false,
        forceInit: opts.forceInit ?? true,
        allowExtra: opts.allowExtra ?? false,
      });
      return;
    }
    if (this.paramsInitialized && !(opts.forceInit ?? true)) {
      this.logger('Warning: parameters already initialized and forceInit=false. setParams call ignored.');
      return;
    }
    this.#current('setParams').setParams(argParams, auxParams, opts);
    this.paramsInitialized = true;
  }

  getStates(mergeMultiContext = true): NDArray[][] {
    this.requireParams('getStates');
    return this.#current('getStates').getStates(mergeMultiContext);
  }

  setStates(opts: { states?: readonly (readonly NDArray[])[]; value?: number }): void {
    this.requireParams('setStates');
    this.#current('setStates').setStates(opts);
  }

  // --- binding ----------------------------------------------------------------------------------

  /** Binds the default bucket (the shapes must describe it); other buckets bind on first use. */
  bind(dataShapes: readonly DataDescLike[], labelShapes: readonly DataDescLike[] | null = null, opts: BindOptions = {}): void {
    checkBindOptions('BucketingModule.bind', opts);
    const saved = opts.forceRebind && this.binded && this.paramsInitialized ? this.getParams() : null;
    if (opts.forceRebind) this.#resetBind();
    if (this.binded) {
      this.logger('Warning: Already bound, ignoring bind()');
      return;
    }
    if (opts.sharedModule) throw new ValueError('bind: a BucketingModule cannot bind against a sharedModule');
    const forTraining = opts.forTraining ?? true;
    const inputsNeedGrad = opts.inputsNeedGrad ?? false;
    if (!forTraining && inputsNeedGrad) throw new ValueError('bind: inputsNeedGrad needs forTraining');
    const id = bucketKeyId(this.defaultBucketKey);
    const bucket = this.#buckets.get(id) ?? {
      key: this.defaultBucketKey,
      module: this.#newModule(this.defaultBucketKey, 'bind'),
    };
    if (saved) bucket.module.paramStore.preload(saved[0], saved[1]);
    bucket.module.bind(dataShapes, labelShapes, { forTraining, inputsNeedGrad, gradReq: opts.gradReq ?? 'write' });
    this.forTraining = forTraining;
    this.inputsNeedGrad = inputsNeedGrad;
    this.#gradReq = opts.gradReq ?? 'write';
    this.#buckets.set(id, bucket);
    this.#seenKeys.set(id, this.defaultBucketKey);
    this.#currId = id;
    this.binded = true;
    if (bucket.module.paramsInitialized) this.paramsInitialized = true;
  }

  /** MXNet's force_rebind drops every bucket; the parameters are kept on the CPU. */
  #resetBind(): void {
    const defaultModule = this.#buckets.get(bucketKeyId(this.defaultBucketKey))?.module;
    for (const { module } of this.#buckets.values()) if (module !== defaultModule) module.dispose();
    defaultModule?.dispose();
    this.#buckets.clear();
    this.#currId = null;
    this.binded = false;
    this.optimizerInitialized = false;
  }

  /** Frees every bucket's executors. */
  dispose(): void {
    this.#resetBind();
  }

  // --- optimizer --------------------------------------------------------------------------------

  initOptimizer(opts: InitOptimizerOptions = {}): void {
    checkInitOptimizerOptions('BucketingModule.initOptimizer', opts);
    this.requireParams('initOptimizer');
    if (this.optimizerInitialized && !opts.forceInit) {
      this.logger('Warning: optimizer already initialized, ignoring...');
      return;
    }
    const current = this.#current('initOptimizer');
    current.initOptimizer(opts);
    for (const { module } of this.#buckets.values()) if (module !== current && module.binded) module.borrowOptimizer(current);
    this.optimizerInitialized = true;
    if (this.#preloadOptStates !== null) {
      current.loadOptimizerStates(this.#preloadOptStates);
      this.#preloadOptStates = null;
    }
  }

  /** The kvstore every bucket uses (null without one, or before initOptimizer). */
  override get kvstore(): Module['kvstore'] {
    return this.binded ? this.#current('kvstore').kvstore : null;
  }

  /** The optimizer every bucket uses (null before initOptimizer). */
  get optimizer(): Module['optimizer'] {
    return this.binded ? this.#current('optimizer').optimizer : null;
  }

  saveOptimizerStates(fname: string): void {
    this.requireOptimizer('saveOptimizerStates');
    this.#current('saveOptimizerStates').saveOptimizerStates(fname);
  }

  loadOptimizerStates(fname: string): void {
    this.requireOptimizer('loadOptimizerStates');
    this.#current('loadOptimizerStates').loadOptimizerStates(fname);
  }

  // --- computation ------------------------------------------------------------------------------

  /** Binds the bucket of the next batch ahead of time (fit calls it between batches). */
  override prepare(batch: DataBatch, sparseRowIdFn?: SparseRowIdFn | null): void {
    this.requireParams('prepare');
    const original = this.#buckets.get(this.#currId!)!;
    const [key, data, label] = this.#batchBucket(batch, 'prepare');
    this.switchBucket(key, data, label);
    this.#current('prepare').prepare(batch, sparseRowIdFn);
    this.switchBucket(original.key, original.module.dataShapes, original.module.labelShapes);
  }

  /**
   * Switches to the batch's bucket, then runs forward. A batch without bucketKey runs in the
   * default bucket; one without provideData describes its arrays under the bucket's data names.
   */
  forward(batch: DataBatch, opts: { isTrain?: boolean } = {}): void {
    this.requireParams('forward');
    const [key, data, label] = this.#batchBucket(batch, 'forward');
    this.switchBucket(key, data, label);
    this.#current('forward').forward(batch, opts);
  }

  #batchBucket(batch: DataBatch, call: string): [BucketKey, readonly DataDescLike[], readonly DataDescLike[] | null] {
    checkBatch(call, batch);
    const key = batch.bucketKey ?? this.defaultBucketKey;
    checkBucketKey(call, key);
    if (batch.provideData) return [key, batch.provideData, batch.provideLabel ?? null];
    const known = this.#buckets.get(bucketKeyId(key))?.module;
    let names: readonly string[];
    let labelNames: readonly string[];
    if (known) [names, labelNames] = [known.dataNames, known.labelNames];
    else {
      const [, dataNames, labels] = this.#callSymGen(key, call);
      [names, labelNames] = [dataNames, labels ?? []];
    }
    if (names.length !== batch.data.length) {
      throw new ValueError(
        `${call}: bucket ${bucketKeyId(key)} has data names [${names.join(', ')}] but the batch has ${batch.data.length} data arrays`,
      );
    }
    const data = names.map((name, i) => new DataDesc(name, batch.data[i]!.shape, batch.data[i]!.dtype));
    const label =
      batch.label.length === labelNames.length && batch.label.length > 0
        ? labelNames.map((name, i) => new DataDesc(name, batch.label[i]!.shape, batch.label[i]!.dtype))
        : null;
    return [key, data, label];
  }

  backward(outGrads?: readonly NDArray[]): void {
    this.requireParams('backward');
    this.#current('backward').backward(outGrads);
  }

  update(): void {
    this.requireOptimizer('update');
    this.#current('update').update();
  }

  getOutputs(mergeMultiContext?: true): NDArray[];
  getOutputs(mergeMultiContext: false): NDArray[][];
  getOutputs(mergeMultiContext = true): NDArray[] | NDArray[][] {
    this.requireParams('getOutputs');
    const current = this.#current('getOutputs');
    return mergeMultiContext ? current.getOutputs(true) : current.getOutputs(false);
  }

  getInputGrads(mergeMultiContext?: true): NDArray[];
  getInputGrads(mergeMultiContext: false): NDArray[][];
  getInputGrads(mergeMultiContext = true): NDArray[] | NDArray[][] {
    this.requireParams('getInputGrads');
    const current = this.#current('getInputGrads');
    return mergeMultiContext ? current.getInputGrads(true) : current.getInputGrads(false);
  }

  updateMetric(evalMetric: EvalMetric, labels: readonly NDArray[]): void {
    this.requireParams('updateMetric');
    this.#current('updateMetric').updateMetric(evalMetric, labels);
  }

  /** Installs on every bound bucket and on each bucket bound later. */
  installMonitor(mon: MonitorLike): void {
    this.requireBound('installMonitor');
    this.#monitor = mon;
    for (const { module } of this.#buckets.values()) module.installMonitor(mon);
  }

  // --- checkpoints --------------------------------------------------------------------------------

  /**
   * Writes the shared parameters (`<prefix>-<epoch>.params`), every bucket's symbol
   * (`<prefix>-<key>-symbol.json`), the keys (`<prefix>-buckets.json`, and MXNet's `<prefix>.buckets`
   * when every key is an integer), when asked the optimizer states (`<prefix>-<epoch>.states`), and last
   * the manifest that makes the checkpoint complete (listing `opts.extraFiles` too).
   */
  saveCheckpoint(prefix: string, epoch: number, saveOptimizerStates = false, opts: CheckpointSaveOptions = {}): void {
    if (this.#seenKeys.size === 0) throw new StateError('saveCheckpoint: no bucket is bound yet; call bind() first');
    const [argParams, auxParams] = this.getParams();
    const shared = writeBucketFiles(prefix, {
      defaultBucketKey: this.defaultBucketKey,
      keys: [...this.#seenKeys.values()],
      paramOrder: [...this.#defaultModule().paramStore.paramIndex.keys()],
      symbolOf: (key) => this.#callSymGen(key, 'saveCheckpoint')[0],
    });
    const files = [saveParamsFile(prefix, epoch, argParams, auxParams)];
    this.logger(`Saved checkpoint to "${files[0]}"`);
    if (saveOptimizerStates) {
      files.push(statesFile(prefix, epoch));
      this.saveOptimizerStates(files[1]!);
      this.logger(`Saved optimizer state to "${files[1]}"`);
    }
    writeManifest(prefix, epoch, [...files, ...(opts.extraFiles ?? [])], shared);
  }

  /**
   * A BucketingModule from a checkpoint: every saved bucket's symbol, the parameters and (with
   * loadOptimizerStates) the optimizer states, restored once initOptimizer runs. Call bind() next.
   */
  static load(prefix: string, epoch: number, opts: BucketingLoadOptions): BucketingModule {
    checkBucketingLoadOptions('BucketingModule.load', opts);
    // loadParams checks the manifest first, so a checkpoint cut short fails before anything else is read
    const { argParams, auxParams } = loadParams(prefix, epoch);
    const meta = readBucketsFile(prefix);
    const defaultBucketKey = opts.defaultBucketKey ?? meta.defaultBucketKey;
    if (defaultBucketKey === undefined)
      throw new ValueError(
        `BucketingModule.load: ${bucketsFile(prefix)} does not record the default bucket; pass defaultBucketKey`,
      );
    const { symGen, loadOptimizerStates, defaultBucketKey: _d, ...rest } = opts;
    const mod = new BucketingModule(symGen, { ...rest, defaultBucketKey });
    mod.#restore(meta.keys, (key) => readBucketSymbol(prefix, key), argParams, auxParams, meta.paramOrder);
    if (loadOptimizerStates) mod.#preloadOptStates = requireStatesFile('BucketingModule.load', prefix, epoch);
    return mod;
  }

  /** MXNet's load_dict: a BucketingModule from in-memory symbols (key → symbol) and parameters. */
  static loadDict(
    opts: BucketingModuleOptions & {
      symDict: ReadonlyMap<BucketKey, BktSymbol> | Readonly<Record<string, BktSymbol>>;
      symGen: SymGen;
      argParams: ParamDict;
      auxParams?: ParamDict;
    },
  ): BucketingModule {
    const { symDict, symGen, argParams, auxParams, ...rest } = opts;
    const entries: [BucketKey, BktSymbol][] =
      symDict instanceof Map
        ? [...symDict.entries()]
        : Object.entries(symDict).map(([k, v]) => [/^-?\d+$/.test(k) ? Number(k) : k, v]);
    const bySymbol = new Map(entries.map(([k, s]) => [bucketKeyId(k), s]));
    const mod = new BucketingModule(symGen, rest);
    mod.#restore(
      entries.map(([k]) => k),
      (key) => bySymbol.get(bucketKeyId(key)),
      { ...argParams },
      { ...(auxParams ?? {}) },
      [],
    );
    return mod;
  }

  #restore(
    keys: readonly BucketKey[],
    symbolOf: (key: BucketKey) => BktSymbol | undefined,
    argParams: ParamDict,
    auxParams: ParamDict,
    paramOrder: readonly string[],
  ): void {
    const defaultId = bucketKeyId(this.defaultBucketKey);
    const withDefault = keys.some((k) => bucketKeyId(k) === defaultId) ? keys : [this.defaultBucketKey, ...keys];
    for (const key of withDefault) {
      checkBucketKey('BucketingModule.load', key);
      this.#buckets.set(bucketKeyId(key), { key, module: this.#newModule(key, 'BucketingModule.load', symbolOf(key)) });
    }
    const defaultModule = this.#defaultModule();
    defaultModule.paramStore.preload(argParams, auxParams);
    defaultModule.paramStore.index(paramOrder);
    this.paramsInitialized = true;
  }
}
