// MXNet's Module: a symbol bound on one or more contexts through a DataParallelExecutorGroup, with
// CPU copies of its parameters, an optimizer (local updater, or a kvstore summing the gradients of
// several contexts) and checkpoints.

import { readFileSync } from 'node:fs';
import {
  arange,
  type Context,
  cpu,
  type NDArray,
  ShapeError,
  StateError,
  ValueError,
  writeFileAtomic,
  ownValue,
  setOwn,
} from '@bkt/ndarray';
import { create as createKVStore, type EarlyPushPull, type GradientCompressionParams, type KVStore } from '@bkt/kvstore';
import { create as createOptimizer, getUpdater, Optimizer, type Updater } from '@bkt/optimizer';
import { formatShape, type Symbol as BktSymbol } from '@bkt/symbol';
import { checkBatch, type DataBatch } from '../data/data-batch.js';
import { DataDesc, type DataDescLike } from '../data/data-desc.js';
import { InitDesc } from '../initializers/init-desc.js';
import { Uniform } from '../initializers/uniform.js';
import type { EvalMetric } from '../metrics/eval-metric.js';
import {
  loadCheckpoint,
  requireStatesFile,
  saveParamsFile,
  statesFile,
  symbolFile,
  type CheckpointSaveOptions,
} from '../model/checkpoint.js';
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
import { DataParallelExecutorGroup } from './executor-group.js';
import { ParamStore } from './param-store.js';
import { declaredStype, zerosOfStype } from './param-stype.js';
import type { Group2Ctxs } from './group2ctxs.js';
import type { MonitorLike } from './types.js';
import { sameShape } from '../util/same-shape.js';
import type { Logger } from '../callbacks/format.js';
import {
  checkBindOptions,
  checkInitOptimizerOptions,
  checkInitParamsOptions,
  checkModuleLoadOptions,
  checkModuleOptions,
  checkSetParamsOptions,
} from './check-options.js';

export interface ModuleOptions {
  dataNames?: readonly string[];
  labelNames?: readonly string[] | null;
  context?: Context | readonly Context[];
  workLoadList?: readonly number[] | null;
  fixedParamNames?: readonly string[] | null;
  stateNames?: readonly string[] | null;
  /** 2-bit gradient compression for the kvstore, e.g. `{ type: '2bit', threshold: 0.5 }`. */
  compressionParams?: GradientCompressionParams | null;
  /** Model parallelism: `__ctx_group__` → context(s), one map for all devices or one per device. */
  group2ctxs?: Group2Ctxs | null;
  /**
   * MXNet's AMP with target_dtype bfloat16: FullyConnected, RNN, dot, batch_dot and Convolution run their
   * products in bfloat16 with float32 accumulation (on oneDNN); parameters (the master weights),
   * softmax, losses, norms and the optimizer stay float32. bfloat16 needs no loss scaling.
   */
  amp?: 'bfloat16' | null;
  logger?: Logger;
}

const LEARNED_SUFFIX = /_(weight|bias|gamma|beta)$/;

/** MXNet's test for an asynchronous store ('async' in kvstore.type): its servers update as pushes arrive. */
const isAsync = (kv: KVStore): boolean => kv.type.includes('async');

export class Module extends BaseModule {
  readonly contexts: readonly Context[];
  readonly workLoadList: readonly number[];
  readonly fixedParamNames: readonly string[];
  readonly stateNames: readonly string[];
  readonly compressionParams: GradientCompressionParams | null;
  readonly group2ctxs: Group2Ctxs | null;
  readonly amp: 'bfloat16' | null;
  readonly #dataNames: string[];
  readonly #labelNames: string[];
  readonly #paramNames: string[];
  readonly #auxNames: string[];
  readonly #outputNames: string[];
  /** Parameters declared row_sparse (`Variable(name, { stype: 'row_sparse' })`). */
  readonly #rowSparseParams: ReadonlySet<string>;
  /** The parameters this module shares with the modules bound against it (or it against). */
  #store = new ParamStore();
  #group: DataParallelExecutorGroup | null = null;
  #dataShapes: DataDesc[] = [];
  #labelShapes: DataDesc[] | null = null;
  #optimizer: Optimizer | null = null;
  #kvstore: KVStore | null = null;
  #updateOnKVStore = false;
  #updater: Updater | null = null;
  #preloadOptStates: string | null = null;

  constructor(symbol: BktSymbol, opts: ModuleOptions = {}) {
    super({ logger: opts.logger });
    checkModuleOptions('Module', opts);
    this._symbol = symbol;
    const ctx = opts.context ?? cpu();
    this.contexts = Array.isArray(ctx) ? [...(ctx as readonly Context[])] : [ctx as Context];
    this.workLoadList = opts.workLoadList ?? this.contexts.map(() => 1);
    if (this.workLoadList.length !== this.contexts.length) {
      throw new ValueError(`Module: workLoadList has ${this.workLoadList.length} entries for ${this.contexts.length} contexts`);
    }
    this.#dataNames = [...(opts.dataNames ?? ['data'])];
    this.#labelNames = [...(opts.labelNames === undefined ? ['softmax_label'] : (opts.labelNames ?? []))];
    this.stateNames = [...(opts.stateNames ?? [])];
    this.fixedParamNames = [...(opts.fixedParamNames ?? [])];
    this.compressionParams = opts.compressionParams ?? null;
    this.group2ctxs = opts.group2ctxs ?? null;
    if (opts.amp !== undefined && opts.amp !== null && opts.amp !== 'bfloat16') {
      throw new ValueError(`Module: amp must be 'bfloat16' or null, got ${String(opts.amp)}`);
    }
    this.amp = opts.amp ?? null;
    const args = symbol.listArguments();
    const check = (names: readonly string[], what: string, throwIt: boolean): void => {
      for (const n of names) {
        if (args.includes(n)) continue;
        const candidates = args.filter((a) => !LEARNED_SUFFIX.test(a));
        const msg = `Module: unknown ${what} name '${n}'; the symbol's inputs are: ${candidates.join(', ')}`;
        if (throwIt) throw new ValueError(msg);
        this.logger(`Warning: ${msg}`);
      }
    };
    check(this.#dataNames, 'data', true);
    check(this.#labelNames, 'label', false);
    check(this.stateNames, 'state', true);
    check(this.fixedParamNames, 'fixed param', true);
    const inputs = new Set([...this.#dataNames, ...this.#labelNames, ...this.stateNames]);
    this.#paramNames = args.filter((a) => !inputs.has(a));
    this.#auxNames = symbol.listAuxiliaryStates();
    this.#outputNames = symbol.listOutputs();
    this.#store.index(this.#paramNames);
    const attrs = symbol.attrDict();
    this.#rowSparseParams = new Set(this.#paramNames.filter((n) => declaredStype(attrs, n) === 'row_sparse'));
  }

  override get symbol(): BktSymbol {
    return this._symbol as BktSymbol;
  }

  /** Reads `<prefix>-symbol.json` and `<prefix>-<epoch>.params`; bind() puts the parameters on the devices. */
  static load(prefix: string, epoch: number, opts: ModuleOptions & { loadOptimizerStates?: boolean } = {}): Module {
    checkModuleLoadOptions('Module.load', opts);
    const { loadOptimizerStates, ...moduleOptions } = opts;
    const { symbol, argParams, auxParams } = loadCheckpoint(prefix, epoch);
    const mod = new Module(symbol, moduleOptions);
    mod.#store.preload(argParams, auxParams);
    mod.paramsInitialized = true;
    if (loadOptimizerStates) mod.#preloadOptStates = requireStatesFile('Module.load', prefix, epoch);
    return mod;
  }

  /**
   * The store of the parameters (CPU copies, optimizer indices, bound executor groups) this module
   * shares with every module bound against it with sharedModule, or it against one.
   */
  get paramStore(): ParamStore {
    return this.#store;
  }

  /**
   * Writes the symbol, the parameters, optionally the optimizer states, then the manifest that makes
   * the checkpoint complete (listing `opts.extraFiles` too: files the caller wrote for it).
   */
  saveCheckpoint(prefix: string, epoch: number, saveOptimizerStates = false, opts: CheckpointSaveOptions = {}): void {
    const symFile = symbolFile(prefix);
    this.symbol.save(symFile);
    const [argParams, auxParams] = this.getParams();
    const files = [saveParamsFile(prefix, epoch, argParams, auxParams)];
    this.logger(`Saved checkpoint to "${files[0]}"`);
    if (saveOptimizerStates) {
      files.push(statesFile(prefix, epoch));
      this.saveOptimizerStates(files[1]!);
      this.logger(`Saved optimizer state to "${files[1]}"`);
    }
    writeManifest(prefix, epoch, [...files, ...(opts.extraFiles ?? [])], [symFile]);
  }

  get dataNames(): readonly string[] {
    return this.#dataNames;
  }
  get labelNames(): readonly string[] {
    return this.#labelNames;
  }
  get outputNames(): readonly string[] {
    return this.#outputNames;
  }
  get paramNames(): readonly string[] {
    return this.#paramNames;
  }
  get auxNames(): readonly string[] {
    return this.#auxNames;
  }
  get dataShapes(): readonly DataDesc[] {
    this.requireBound('dataShapes');
    return this.#dataShapes;
  }
  get labelShapes(): readonly DataDesc[] | null {
    this.requireBound('labelShapes');
    return this.#labelShapes;
  }
  get outputShapes(): readonly [string, readonly number[]][] {
    this.requireBound('outputShapes');
    return this.#group!.getOutputShapes();
  }

  /** The executor group (MXNet's _exec_group): the executors of every context and their arrays. */
  get execGroup(): DataParallelExecutorGroup {
    this.requireBound('execGroup');
    return this.#group!;
  }

  /** Bytes of the executors' intermediate arenas (MXNet's _total_exec_bytes); buckets share them. */
  get arenaBytes(): number {
    this.requireBound('arenaBytes');
    return this.#group!.arenaBytes;
  }

  // --- parameters -------------------------------------------------------------------------------

  getParams(): [ParamDict, ParamDict] {
    this.requireParams('getParams');
    this.#store.sync();
    if (this.#kvstore !== null && this.#updateOnKVStore && isAsync(this.#kvstore)) this.#pullServerParams();
    return [this.#store.argParams!, this.#store.auxParams!];
  }

  /**
   * Under an asynchronous store the devices hold the values of this worker's last pull, while the
   * servers go on applying the other workers' pushes: the parameters (and so a checkpoint) are the
   * servers' current ones. Row_sparse ones are pulled by all their rows, as MXNet syncs them.
   */
  #pullServerParams(): void {
    const args = this.#store.argParams!;
    for (const name of this.#store.paramIndex.keys()) {
      const value = args[name]!;
      if (value.stype !== 'row_sparse') this.#kvstore!.pull(name, value);
      else {
        const rowIds = arange(0, value.shape[0]!, 1, { dtype: 'int64' });
        this.#kvstore!.rowSparsePull(name, value, { rowIds });
        rowIds.dispose();
      }
    }
  }

  initParams(opts: InitParamsOptions = {}): void {
    checkInitParamsOptions('Module.initParams', opts);
    if (this.paramsInitialized && !opts.forceInit) {
      this.logger('Warning: parameters already initialized and forceInit=false. initParams call ignored.');
      return;
    }
    this.requireBound('initParams');
    const initializer = opts.initializer === undefined ? new Uniform(0.01) : opts.initializer;
    if (initializer) this.#store.initializer = initializer;
    const { argParams, auxParams } = this.#store;
    const attrs = this.symbol.attrDict();
    const fill = (name: string, arr: NDArray, source: Readonly<Record<string, NDArray>> | null | undefined): void => {
      if (source) {
        const src = ownValue(source, name);
        if (src !== undefined) {
          if (src !== arr) src.copyTo(arr);
          return;
        }
        if (!opts.allowMissing)
          throw new ValueError(
            `initParams: '${name}' is not presented in the given parameters (pass allowMissing to initialize it)`,
          );
        if (initializer) initializer.init(new InitDesc(name, ownValue(attrs, name) ?? {}), arr);
        return;
      }
      if (initializer) initializer.init(new InitDesc(name, ownValue(attrs, name) ?? {}), arr);
    };
    for (const name of Object.keys(argParams!).sort()) fill(name, argParams![name]!, opts.argParams);
    for (const name of Object.keys(auxParams!).sort()) fill(name, auxParams![name]!, opts.auxParams);
    if (!opts.allowExtra) {
      const extra = [
        ...Object.keys(opts.argParams ?? {}).filter((n) => !Object.hasOwn(argParams!, n)),
        ...Object.keys(opts.auxParams ?? {}).filter((n) => !Object.hasOwn(auxParams!, n)),
      ];
      if (extra.length > 0)
        throw new ValueError(`initParams: unknown parameters ${extra.join(', ')} (pass allowExtra to ignore them)`);
    }
    this.paramsInitialized = true;
    this.#store.dirty = false;
    // every module sharing the store gets the values (each takes the names it has)
    this.#store.push();
  }

  override setParams(
    argParams: Readonly<Record<string, NDArray>>,
    auxParams: Readonly<Record<string, NDArray>>,
    opts: SetParamsOptions = {},
  ): void {
    checkSetParamsOptions('Module.setParams', opts);
    if (!opts.allowMissing) {
      super.setParams(argParams, auxParams, opts);
      return;
    }
    if (this.paramsInitialized && !(opts.forceInit ?? true)) {
      this.logger('Warning: parameters already initialized and forceInit=false. setParams call ignored.');
      return;
    }
    this.requireBound('setParams');
    this.#group!.setParams(argParams, auxParams, opts.allowExtra ?? false);
    this.#store.dirty = true;
    this.paramsInitialized = true;
  }

  // --- binding ----------------------------------------------------------------------------------

  bind(dataShapes: readonly DataDescLike[], labelShapes: readonly DataDescLike[] | null = null, opts: BindOptions = {}): void {
    checkBindOptions('Module.bind', opts);
    if (opts.forceRebind) this.#resetBind();
    if (this.binded) {
      this.logger('Warning: Already bound, ignoring bind()');
      return;
    }
    const forTraining = opts.forTraining ?? true;
    const inputsNeedGrad = opts.inputsNeedGrad ?? false;
    if (!forTraining && inputsNeedGrad) throw new ValueError('bind: inputsNeedGrad needs forTraining');
    const [data, label] = this.#parseDescs('bind', dataShapes, labelShapes);
    let shared: Module | null = null;
    if (opts.sharedModule) {
      if (!(opts.sharedModule instanceof Module)) throw new ValueError('bind: sharedModule must be a Module');
      if (!opts.sharedModule.binded || !opts.sharedModule.paramsInitialized) {
        throw new StateError('bind: sharedModule must be bound and have its parameters initialized');
      }
      shared = opts.sharedModule;
    }
    this.forTraining = forTraining;
    this.inputsNeedGrad = inputsNeedGrad;
    this.#dataShapes = data;
    this.#labelShapes = label;
    this.#group = new DataParallelExecutorGroup(this.symbol, {
      contexts: this.contexts,
      workLoadList: this.workLoadList,
      dataShapes: data,
      labelShapes: label,
      paramNames: this.#paramNames,
      forTraining,
      inputsNeedGrad,
      sharedGroup: shared ? shared.execGroup : null,
      fixedParamNames: this.fixedParamNames,
      gradReq: opts.gradReq ?? 'write',
      stateNames: this.stateNames,
      group2ctxs: this.group2ctxs,
      amp: this.amp,
    });
    if (shared) this.#store = shared.paramStore;
    const store = this.#store;
    if (shared) {
      this.paramsInitialized = true;
      this.#adoptNewParams();
    } else if (this.paramsInitialized || store.preloaded) {
      const missing = [
        ...this.#paramNames.filter((n) => !(n in store.argParams!)),
        ...this.#auxNames.filter((n) => !(n in store.auxParams!)),
      ];
      if (missing.length > 0) throw new ValueError(`bind: the loaded parameters lack ${missing.join(', ')}`);
      this.#group.setParams(store.argParams!, store.auxParams!, true);
      store.preloaded = false;
      this.paramsInitialized = true;
    } else {
      const attrs = this.symbol.attrDict();
      const like = (n: string, a: NDArray): NDArray => zerosOfStype(declaredStype(attrs, n), a);
      const params = this.#group.paramArrays;
      const aux = this.#group.auxArrays;
      store.argParams = Object.fromEntries(this.#paramNames.map((n, i) => [n, like(n, params[i]![0]!)]));
      store.auxParams = Object.fromEntries(this.#auxNames.map((n, i) => [n, like(n, aux[i]![0]!)]));
    }
    store.register(this.#group);
    if (shared?.optimizerInitialized) this.borrowOptimizer(shared);
    this.binded = true;
  }

  /**
   * Parameters of this bucket that no bound bucket has on its devices yet (MXNet #11384: a
   * parameter only some buckets use, or one restored from a checkpoint): their values come from
   * the shared CPU dicts — initialized there as initParams would, when absent — and get an
   * optimizer index after all known ones. Names already on the devices are left alone: the
   * devices hold their newest values.
   */
  #adoptNewParams(): void {
    const attrs = this.symbol.attrDict();
    const store = this.#store;
    const init = store.initializer ?? new Uniform(0.01);
    const adopt = (names: readonly string[], arrays: NDArray[][], dict: ParamDict, fresh: ParamDict): void => {
      names.forEach((n, i) => {
        const mine = arrays[i]![0]!;
        const have = ownValue(dict, n);
        if (have && (have.shape.length !== mine.shape.length || have.shape.some((d, j) => d !== mine.shape[j]))) {
          throw new ShapeError(
            `bind: parameter '${n}' has shape (${mine.shape.join(', ')}) in this bucket but (${have.shape.join(', ')}) in the shared parameters; buckets must agree on every shared name`,
          );
        }
        if (store.onDevice(n)) return;
        if (!have) {
          const made = zerosOfStype(declaredStype(attrs, n), mine);
          setOwn(dict, n, made);
          init.init(new InitDesc(n, ownValue(attrs, n) ?? {}), made);
        }
        setOwn(fresh, n, ownValue(dict, n)!);
      });
    };
    store.index(this.#paramNames);
    const freshArgs: ParamDict = {};
    const freshAux: ParamDict = {};
    adopt(this.#paramNames, this.#group!.paramArrays, store.argParams!, freshArgs);
    adopt(this.#auxNames, this.#group!.auxArrays, store.auxParams!, freshAux);
    if (Object.keys(freshArgs).length + Object.keys(freshAux).length > 0) this.#group!.setParams(freshArgs, freshAux, true);
  }

  /** Unbinds and frees the executors; the parameters (CPU copies, and device arrays shared with other buckets) are kept. */
  dispose(): void {
    this.#resetBind();
  }

  #resetBind(): void {
    if (this.#group) this.#store.unregister(this.#group);
    this.binded = false;
    this.#group?.dispose();
    this.#group = null;
    this.#dataShapes = [];
    this.#labelShapes = null;
  }

  #parseDescs(
    call: string,
    dataShapes: readonly DataDescLike[],
    labelShapes: readonly DataDescLike[] | null | undefined,
  ): [DataDesc[], DataDesc[] | null] {
    const data = DataDesc.fromList(dataShapes, call, 'dataShapes');
    const names = data.map((d) => d.name).sort();
    const expected = [...this.#dataNames].sort();
    if (names.length !== expected.length || names.some((n, i) => n !== expected[i])) {
      throw new ValueError(
        `${call}: data shapes name [${names.join(', ')}] but the module's dataNames are [${expected.join(', ')}]`,
      );
    }
    const label = labelShapes && labelShapes.length > 0 ? DataDesc.fromList(labelShapes, call, 'labelShapes') : null;
    if (label) {
      const ln = label.map((d) => d.name).sort();
      const le = [...this.#labelNames].sort();
      if (ln.length !== le.length || ln.some((n, i) => n !== le[i])) {
        this.logger(`Warning: label shapes name [${ln.join(', ')}] but the module's labelNames are [${le.join(', ')}]`);
      }
    }
    return [data, label];
  }

  /** Rebinds the executors for new input shapes, sharing parameters and memory. */
  reshape(dataShapes: readonly DataDescLike[], labelShapes: readonly DataDescLike[] | null = null): void {
    this.requireBound('reshape');
    const [data, label] = this.#parseDescs('reshape', dataShapes, labelShapes);
    this.#group!.reshape(data, label);
    this.#dataShapes = data;
    this.#labelShapes = label;
  }

  // --- optimizer --------------------------------------------------------------------------------

  initOptimizer(opts: InitOptimizerOptions = {}): void {
    checkInitOptimizerOptions('Module.initOptimizer', opts);
    this.requireParams('initOptimizer');
    if (this.optimizerInitialized && !opts.forceInit) {
      this.logger('Warning: optimizer already initialized, ignoring...');
      return;
    }
    this.#store.sync();
    const kvSpec = opts.kvstore === undefined ? 'local' : opts.kvstore;
    const numDevice = this.contexts.length;
    // MXNet's _create_kvstore: one device and a non-distributed type → no kvstore at all.
    let kv: KVStore | null = null;
    if (kvSpec !== null && typeof kvSpec === 'object') kv = kvSpec;
    else if (typeof kvSpec === 'string' && (numDevice > 1 || kvSpec.includes('dist'))) kv = createKVStore(kvSpec);
    const envUpdate = process.env['MXNET_UPDATE_ON_KVSTORE'];
    let updateOnKV = kv !== null && (envUpdate === undefined || envUpdate !== '0') && kv.isCapable('optimizer');
    if (kv !== null && typeof kvSpec === 'string' && kvSpec === 'local') {
      if (Object.values(this.#store.argParams!).some((a) => a.size > 16 * 1024 * 1024)) updateOnKV = false;
    }
    // An asynchronous store's servers apply each push as it arrives: without the optimizer there,
    // nothing would sum the workers' gradients (MXNet's servers need an updater; its Trainer refuses too).
    if (kv !== null && isAsync(kv) && !updateOnKV) {
      throw new ValueError(
        `initOptimizer: the ${kv.type} store updates on its servers; unset MXNET_UPDATE_ON_KVSTORE=0 (asynchronous training always updates on the kvstore)`,
      );
    }

    // MXNet's rule: a synchronous distributed store sums the gradients of every worker's batch.
    const batchSize =
      this.#group!.batchSize * (kv !== null && kv.type.includes('dist') && kv.type.includes('_sync') ? kv.numWorkers : 1);
    const idx2name = Object.fromEntries(this.#indexEntries([...this.#store.paramIndex.keys()], updateOnKV));

    const spec = opts.optimizer ?? 'sgd';
    let optimizer: Optimizer;
    if (typeof spec === 'string') {
      const params: Record<string, unknown> = { ...(opts.optimizerParams ?? { learningRate: 0.01 }) };
      if (params['rescaleGrad'] === undefined) params['rescaleGrad'] = 1 / batchSize;
      optimizer = createOptimizer(spec, { ...params, sym: this.symbol, paramIdx2Name: idx2name });
    } else if (spec instanceof Optimizer) {
      optimizer = spec;
      const rg = (optimizer as unknown as { rescaleGrad?: number }).rescaleGrad;
      if (rg !== undefined && rg !== 1 / batchSize) {
        this.logger(
          `Warning: optimizer created manually outside Module but rescaleGrad is not normalized to 1.0/batchSize (${rg} vs. ${1 / batchSize}). Is this intended?`,
        );
      }
      // As MXNet: a user-built optimizer without names gets the module's index → name map.
      if (optimizer.idx2name.size === 0) for (const [k, v] of Object.entries(idx2name)) optimizer.idx2name.set(Number(k), v);
    } else throw new ValueError('initOptimizer: optimizer must be a name or an Optimizer');

    this.#optimizer = optimizer;
    this.#kvstore = kv;
    this.#updateOnKVStore = updateOnKV;
    this.#updater = null;
    if (kv) {
      if (this.compressionParams) kv.setGradientCompression(this.compressionParams);
      if (updateOnKV) kv.setOptimizer(optimizer);
      this.#initKVStore([...this.#store.paramIndex.keys()]);
    }
    if (!updateOnKV) this.#updater = getUpdater(optimizer);
    this.optimizerInitialized = true;
    if (this.#preloadOptStates !== null) {
      this.loadOptimizerStates(this.#preloadOptStates);
      this.#preloadOptStates = null;
    }
  }

  /** Optimizer index → name: one index per name on the kvstore, one per name and device locally. */
  #indexEntries(names: readonly string[], updateOnKV: boolean): [number, string][] {
    const numDevice = this.contexts.length;
    return names.flatMap((n) => {
      const i = this.#store.paramIndex.get(n)!;
      return updateOnKV ? [[i, n] as [number, string]] : this.contexts.map((_, k) => [i * numDevice + k, n] as [number, string]);
    });
  }

  /** Initializes the kvstore keys of `names` from the CPU values (pulled to this module's devices when it updates). */
  #initKVStore(names: readonly string[]): void {
    const params = this.#group!.paramArrays;
    for (const name of names) {
      // The devices compute row_sparse parameters densely (see param-stype.ts), so the store keeps them dense too.
      const value = this.#store.argParams![name]!;
      this.#kvstore!.init(name, value.stype === 'default' ? value : value.tostype('default'));
      const mine = this.#paramNames.indexOf(name);
      if (this.#updateOnKVStore && mine >= 0) this.#kvstore!.pull(name, params[mine]!, -this.#store.paramIndex.get(name)!);
    }
  }

  /** The optimizer (null before initOptimizer). */
  get optimizer(): Optimizer | null {
    return this.#optimizer;
  }

  /** The kvstore summing gradients across contexts or workers (null with one context and a local type). */
  override get kvstore(): KVStore | null {
    return this.#kvstore;
  }

  /** Whether the optimizer runs on the kvstore (MXNet's update_on_kvstore). */
  get updateOnKVStore(): boolean {
    return this.#updateOnKVStore;
  }

  /** The updater holding the optimizer states: the local one, or the kvstore's. */
  get updater(): Updater | null {
    return this.#updateOnKVStore ? (this.#kvstore?.optimizerUpdater ?? null) : this.#updater;
  }

  /** Uses another module's optimizer, kvstore and updater (bucketing). */
  borrowOptimizer(shared: Module): void {
    if (!shared.optimizerInitialized) throw new StateError('borrowOptimizer: the shared module has no optimizer');
    this.#optimizer = shared.optimizer;
    this.#kvstore = shared.kvstore;
    this.#updateOnKVStore = shared.updateOnKVStore;
    this.#updater = shared.updateOnKVStore ? null : shared.updater;
    this.optimizerInitialized = true;
    const known = new Set(this.#optimizer!.idx2name.values());
    const fresh = this.#paramNames.filter((n) => !known.has(n));
    if (fresh.length === 0) return;
    this.#optimizer!.addParamNames(this.#indexEntries(fresh, this.#updateOnKVStore), this.symbol);
    if (this.#kvstore) this.#initKVStore(fresh);
  }

  saveOptimizerStates(fname: string): void {
    this.requireOptimizer('saveOptimizerStates');
    if (this.#updateOnKVStore) this.#kvstore!.saveOptimizerStates(fname);
    else writeFileAtomic('saveOptimizerStates', fname, this.#updater!.getStates());
  }

  loadOptimizerStates(fname: string): void {
    this.requireOptimizer('loadOptimizerStates');
    if (this.#updateOnKVStore) this.#kvstore!.loadOptimizerStates(fname);
    else this.#updater!.setStates(new Uint8Array(readFileSync(fname)));
  }

  // --- computation ------------------------------------------------------------------------------

  /**
   * With sparseRowIdFn (MXNet's): when the optimizer runs on the kvstore, pulls the rows it names of
   * each row_sparse parameter into the devices' copies before the batch runs.
   */
  override prepare(batch: DataBatch, sparseRowIdFn?: SparseRowIdFn | null): void {
    this.requireBound('prepare');
    if (!sparseRowIdFn) return;
    if (!this.optimizerInitialized || !this.#updateOnKVStore) {
      this.logger('Warning: Parameters are not updated in the KVStore. No need to call sparseRowIdFn.');
      return;
    }
    const rowIds = sparseRowIdFn(batch);
    if (rowIds === null || typeof rowIds !== 'object')
      throw new ValueError('prepare: sparseRowIdFn must return a dict of parameter name → row ids');
    const attrs = this.symbol.attrDict();
    for (const [name, ids] of Object.entries(rowIds)) {
      const i = this.#paramNames.indexOf(name);
      if (i < 0)
        throw new ValueError(`prepare: sparseRowIdFn names '${name}', which is not a parameter (${this.#paramNames.join(', ')})`);
      if (declaredStype(attrs, name) !== 'row_sparse') {
        this.logger(`Warning: ${name}.stype is not 'row_sparse'. No need to perform rowSparsePull.`);
        continue;
      }
      this.#kvstore!.rowSparsePull(name, this.#group!.paramArrays[i]!, {
        rowIds: ids,
        priority: -this.#store.paramIndex.get(name)!,
      });
    }
  }

  /**
   * MXNet's rule: when the batch's data shapes differ from the bound ones, rebind for the batch's
   * shapes (parameters must keep theirs, or it is a ShapeError naming the input); then every array
   * must match its bound input exactly (the executor group checks).
   */
  forward(batch: DataBatch, opts: { isTrain?: boolean } = {}): void {
    this.requireParams('forward');
    checkBatch('forward', batch);
    const labels = batch.label ?? [];
    if (batch.data.length !== this.#dataShapes.length) {
      throw new ValueError(
        `forward: the batch has ${batch.data.length} data arrays, the module has ${this.#dataShapes.length} data inputs (${this.#dataNames.join(', ')})`,
      );
    }
    if (this.#labelShapes && labels.length > 0 && labels.length !== this.#labelShapes.length) {
      throw new ValueError(
        `forward: the batch has ${labels.length} label arrays, the module is bound with ${this.#labelShapes.length} (${this.#labelShapes.map((d) => d.name).join(', ')})`,
      );
    }
    const changed = batch.data.findIndex((a, i) => !sameShape(a.shape, this.#dataShapes[i]!.shape));
    if (changed >= 0) {
      const data = batch.provideData?.length
        ? batch.provideData
        : this.#dataShapes.map((d, i) => d.with({ shape: batch.data[i]!.shape }));
      let label: DataDesc[] | null = null;
      if (batch.provideLabel?.length) label = [...batch.provideLabel];
      else if (labels.length > 0) label = (this.#labelShapes ?? []).map((d, i) => d.with({ shape: labels[i]!.shape }));
      else if (this.#labelShapes) {
        // Unlike MXNet (which drops the label descs here), keep them at the new batch size so that
        // updateMetric still knows the label names after predicting on an unlabelled batch.
        const n = data[0] ? DataDesc.from(data[0]).shape[0]! : 0;
        label = this.#labelShapes.map((d) => (d.batchAxis === 0 ? d.with({ shape: [n, ...d.shape.slice(1)] }) : d));
      }
      try {
        this.reshape(data, label);
      } catch (e) {
        if (!(e instanceof ShapeError)) throw e;
        const d = this.#dataShapes[changed]!;
        throw new ShapeError(
          `forward: data '${d.name}' has shape ${formatShape(batch.data[changed]!.shape)}, the module is bound with ${formatShape(d.shape)}, and cannot be reshaped to it: ${e.message}`,
        );
      }
    }
    this.#group!.forward(batch.data, labels, opts.isTrain ?? this.forTraining);
  }

  backward(outGrads?: readonly NDArray[]): void {
    this.requireParams('backward');
    const early = this.#beginGradientPush();
    this.#group!.backward(outGrads, early === null ? undefined : (names) => early.ready(names));
    early?.done();
  }

  /**
   * A distributed store sends gradients while backward still runs (update's pushPull completes it);
   * not under grad_req 'add', where a later backward may still add to a gradient.
   */
  #beginGradientPush(): EarlyPushPull | null {
    const kv = this.#kvstore;
    const grads = this.#group!.gradArrays;
    const pushed = this.#paramNames.flatMap((name, i) => (grads[i]!.length === 0 ? [] : [{ name, i }]));
    if (
      kv === null ||
      !this.optimizerInitialized ||
      pushed.length === 0 ||
      pushed.some((p) => this.#group!.gradReq[p.name] !== 'write')
    )
      return null;
    return kv.beginPushPull(
      pushed.map((p) => p.name),
      pushed.map((p) => grads[p.i]!),
    );
  }

  /**
   * Updates every parameter on every device with one native optimizer call per kind of fused update
   * (one per step for the built-in optimizers). With a kvstore, all the parameters go in one pushPull
   * call, which a distributed store sends in a few fused messages.
   */
  update(): void {
    this.requireOptimizer('update');
    this.#store.dirty = true;
    const params = this.#group!.paramArrays;
    const grads = this.#group!.gradArrays;
    const numDevice = this.contexts.length;
    const pushed = this.#paramNames.flatMap((name, i) => (grads[i]!.length === 0 ? [] : [{ name, i }]));
    if (this.#kvstore && pushed.length > 0) {
      const names = pushed.map((p) => p.name);
      const g = pushed.map((p) => grads[p.i]!);
      this.#kvstore.pushPull(names, g, this.#updateOnKVStore ? pushed.map((p) => params[p.i]!) : g);
    }
    if (this.#updateOnKVStore || pushed.length === 0) return;
    const indices: number[] = [];
    const given: NDArray[] = [];
    const weights: NDArray[] = [];
    const made: NDArray[] = [];
    for (const { name, i } of pushed) {
      const index = this.#store.paramIndex.get(name)!;
      const rowSparse = this.#rowSparseParams.has(name);
      grads[i]!.forEach((grad, k) => {
        // The executors compute a row_sparse parameter's gradient densely; the updater gets it as
        // row_sparse (the rows with a non-zero gradient), so the optimizer updates lazily, as MXNet's.
        const g = rowSparse ? grad.tostype('row_sparse') : grad;
        if (g !== grad) made.push(g);
        indices.push(index * numDevice + k);
        given.push(g);
        weights.push(params[i]![k]!);
      });
    }
    try {
      this.#updater!.update(indices, given, weights);
    } finally {
      for (const g of made) g.dispose();
    }
  }

  getOutputs(mergeMultiContext?: true): NDArray[];
  getOutputs(mergeMultiContext: false): NDArray[][];
  getOutputs(mergeMultiContext = true): NDArray[] | NDArray[][] {
    this.requireParams('getOutputs');
    return this.#group!.getOutputs(mergeMultiContext);
  }

  getInputGrads(mergeMultiContext?: true): NDArray[];
  getInputGrads(mergeMultiContext: false): NDArray[][];
  getInputGrads(mergeMultiContext = true): NDArray[] | NDArray[][] {
    this.requireParams('getInputGrads');
    if (!this.inputsNeedGrad) throw new StateError('getInputGrads: bind with inputsNeedGrad=true to get input gradients');
    return this.#group!.getInputGrads(mergeMultiContext);
  }

  installMonitor(mon: MonitorLike): void {
    this.requireBound('installMonitor');
    for (const exe of this.#group!.execs) mon.install(exe);
  }

  /** The state arrays per state name, one per context (mergeMultiContext must be false, as in MXNet). */
  getStates(mergeMultiContext = true): NDArray[][] {
    this.requireParams('getStates');
    return this.#group!.getStates(mergeMultiContext);
  }

  /** Either per-state, per-context arrays to copy in, or a value for every state array. */
  setStates(opts: { states?: readonly (readonly NDArray[])[]; value?: number }): void {
    this.requireParams('setStates');
    this.#group!.setStates(opts.states ?? null, opts.value ?? null);
  }

  updateMetric(evalMetric: EvalMetric, labels: readonly NDArray[]): void {
    this.requireParams('updateMetric');
    this.#group!.updateMetric(evalMetric, labels);
  }
}
