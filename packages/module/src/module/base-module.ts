// MXNet's BaseModule: the state machine every module shares (bound → parameters initialized →
// optimizer initialized) and the loops written once on top of the abstract primitives: score,
// predict, iterPredict, forwardBackward and fit (in MXNet 1.x's order of steps), plus the
// `arg:`/`aux:` parameter files.

import { concat, load, type NDArray, save, StateError, ValueError } from '@bkt/ndarray';
import {
  type BatchEndCallback,
  callBatchEnd,
  callEpochEnd,
  type EpochEndCallback,
  type SavableSymbol,
} from '../callbacks/batch-end-param.js';
import { defaultLogger, type Logger } from '../callbacks/format.js';
import { DataBatch } from '../data/data-batch.js';
import type { DataDesc, DataDescLike } from '../data/data-desc.js';
import { DataIter } from '../data/data-iter.js';
import type { Initializer } from '../initializers/initializer.js';
import { Uniform } from '../initializers/uniform.js';
import { create as createMetric, type MetricSpec } from '../metrics/create.js';
import { EvalMetric, type NameValue } from '../metrics/eval-metric.js';
import type { KVStore } from '@bkt/kvstore';
import {
  checkFitAsyncOptions,
  checkFitOptions,
  checkIterPredictOptions,
  checkPredictOptions,
  checkScoreOptions,
  checkSetParamsOptions,
} from './check-options.js';
import type { KVStoreSpec, MonitorLike, OptimizerSpec } from './types.js';

export type ParamDict = Record<string, NDArray>;

/** MXNet's sparse_row_id_fn: for a batch, the rows of each row_sparse parameter it will read. */
export type SparseRowIdFn = (batch: DataBatch) => Readonly<Record<string, NDArray>>;

export interface BindOptions {
  forTraining?: boolean;
  inputsNeedGrad?: boolean;
  forceRebind?: boolean;
  sharedModule?: BaseModule | null;
  gradReq?: 'write' | 'add' | 'null' | Readonly<Record<string, 'write' | 'add' | 'null'>>;
}

export interface InitParamsOptions {
  /** null: only copy from argParams/auxParams (what setParams does). Default Uniform(0.01). */
  initializer?: Initializer | null;
  argParams?: Readonly<Record<string, NDArray>> | null;
  auxParams?: Readonly<Record<string, NDArray>> | null;
  allowMissing?: boolean;
  forceInit?: boolean;
  allowExtra?: boolean;
}

export interface SetParamsOptions {
  allowMissing?: boolean;
  forceInit?: boolean;
  allowExtra?: boolean;
}

export interface InitOptimizerOptions {
  kvstore?: KVStoreSpec;
  optimizer?: OptimizerSpec;
  optimizerParams?: Readonly<Record<string, unknown>>;
  forceInit?: boolean;
}

export interface ScoreOptions {
  numBatch?: number | null;
  batchEndCallback?: BatchEndCallback | readonly BatchEndCallback[] | null;
  scoreEndCallback?: BatchEndCallback | readonly BatchEndCallback[] | null;
  reset?: boolean;
  epoch?: number;
  sparseRowIdFn?: SparseRowIdFn | null;
}

export interface PredictOptions {
  numBatch?: number | null;
  mergeBatches?: boolean;
  reset?: boolean;
  alwaysOutputList?: boolean;
  sparseRowIdFn?: SparseRowIdFn | null;
}

export interface FitOptions {
  evalData?: DataIter | null;
  evalMetric?: MetricSpec;
  epochEndCallback?: EpochEndCallback | readonly EpochEndCallback[] | null;
  batchEndCallback?: BatchEndCallback | readonly BatchEndCallback[] | null;
  kvstore?: KVStoreSpec;
  optimizer?: OptimizerSpec;
  optimizerParams?: Readonly<Record<string, unknown>>;
  evalEndCallback?: BatchEndCallback | readonly BatchEndCallback[] | null;
  evalBatchEndCallback?: BatchEndCallback | readonly BatchEndCallback[] | null;
  initializer?: Initializer | null;
  argParams?: Readonly<Record<string, NDArray>> | null;
  auxParams?: Readonly<Record<string, NDArray>> | null;
  allowMissing?: boolean;
  forceRebind?: boolean;
  forceInit?: boolean;
  beginEpoch?: number;
  numEpoch?: number;
  validationMetric?: MetricSpec | null;
  /** Installed before the parameters are initialized; tic/tocPrint around every batch. */
  monitor?: MonitorLike | null;
  /** Rows of row_sparse parameters to pull from the kvstore before each batch (see prepare). */
  sparseRowIdFn?: SparseRowIdFn | null;
}

export interface FitAsyncOptions extends FitOptions {
  /** Aborting it stops training after the current batch (see fitAsync). */
  signal?: AbortSignal | null;
}

/** How fitAsync ended: every epoch trained, or stopped in `epoch` after `batches` of its batches. */
export type FitEnd = { aborted: false } | { aborted: true; epoch: number; batches: number };

export abstract class BaseModule {
  binded = false;
  forTraining = false;
  inputsNeedGrad = false;
  paramsInitialized = false;
  optimizerInitialized = false;
  logger: Logger;
  protected _symbol: SavableSymbol | null = null;

  constructor(opts: { logger?: Logger } = {}) {
    this.logger = opts.logger ?? defaultLogger;
  }

  get symbol(): SavableSymbol | null {
    return this._symbol;
  }

  /** The kvstore the optimizer uses (null without one, or before initOptimizer). */
  get kvstore(): KVStore | null {
    return null;
  }

  // --- state checks: a typed error naming the call, never a bare assert -----------------------

  protected requireBound(call: string): void {
    if (!this.binded) throw new StateError(`${call}: the module is not bound; call bind() first`);
  }

  protected requireParams(call: string): void {
    this.requireBound(call);
    if (!this.paramsInitialized)
      throw new StateError(`${call}: the parameters are not initialized; call initParams() or setParams() first`);
  }

  protected requireOptimizer(call: string): void {
    this.requireParams(call);
    if (!this.optimizerInitialized) throw new StateError(`${call}: the optimizer is not initialized; call initOptimizer() first`);
  }

  // --- generic loops ----------------------------------------------------------------------------

  /** forward(batch, {isTrain: true}) then backward(). */
  forwardBackward(batch: DataBatch): void {
    this.forward(batch, { isTrain: true });
    this.backward();
  }

  /** Runs evalData through the model and returns the metric's (local) name/value pairs. */
  score(evalData: DataIter, evalMetric: MetricSpec, opts: ScoreOptions = {}): NameValue[] {
    checkScoreOptions('score', opts);
    this.requireParams('score');
    if (opts.reset ?? true) evalData.reset();
    const metric = evalMetric instanceof EvalMetric ? evalMetric : createMetric(evalMetric);
    metric.reset();
    const epoch = opts.epoch ?? 0;
    let nbatch = 0;
    for (let batch = evalData.nextBatch(); batch !== undefined; batch = evalData.nextBatch()) {
      if (opts.numBatch !== undefined && opts.numBatch !== null && nbatch === opts.numBatch) break;
      this.prepare(batch, opts.sparseRowIdFn);
      this.forward(batch, { isTrain: false });
      this.updateMetric(metric, batch.label);
      callBatchEnd(opts.batchEndCallback, { epoch, nbatch, evalMetric: metric, locals: { batch } });
      nbatch += 1;
    }
    callBatchEnd(opts.scoreEndCallback, { epoch, nbatch, evalMetric: metric });
    return metric.getNameValue();
  }

  /**
   * Yields each batch's outputs with the padding removed: the executors' arrays (or views of them),
   * valid until the next batch, as the batch itself is; copy what must outlive it.
   */
  *iterPredict(
    evalData: DataIter,
    opts: { numBatch?: number | null; reset?: boolean; sparseRowIdFn?: SparseRowIdFn | null } = {},
  ): Generator<[NDArray[], number, DataBatch]> {
    checkIterPredictOptions('iterPredict', opts);
    this.requireParams('iterPredict');
    if (opts.reset ?? true) evalData.reset();
    let nbatch = 0;
    for (let batch = evalData.nextBatch(); batch !== undefined; batch = evalData.nextBatch()) {
      if (opts.numBatch !== undefined && opts.numBatch !== null && nbatch === opts.numBatch) break;
      this.prepare(batch, opts.sparseRowIdFn);
      this.forward(batch, { isTrain: false });
      const outputs = this.getOutputs().map((o) => (batch.pad > 0 ? o.slice(0, o.shape[0]! - batch.pad) : o));
      try {
        yield [outputs, nbatch, batch];
      } finally {
        if (batch.pad > 0) for (const view of outputs) view.dispose();
      }
      nbatch += 1;
    }
  }

  /**
   * The outputs for every batch of evalData, padding removed. Merged: one array per output
   * (concatenated along the batch axis), a single output returned bare unless alwaysOutputList.
   * An NDArray is run as one batch and (a copy of) its first output returned. The arrays returned
   * are new and the caller's: dispose them when done.
   */
  predict(evalData: DataIter | NDArray, opts: PredictOptions = {}): NDArray | NDArray[] | NDArray[][] {
    checkPredictOptions('predict', opts);
    this.requireParams('predict');
    if (!(evalData instanceof DataIter)) {
      if (evalData === null || typeof evalData !== 'object' || !('shape' in evalData)) {
        throw new ValueError('predict: evalData must be a DataIter or an NDArray');
      }
      this.forward(new DataBatch([evalData]), { isTrain: false });
      return this.getOutputs()[0]!.copy();
    }
    const perBatch: NDArray[][] = [];
    for (const [outputs] of this.iterPredict(evalData, {
      numBatch: opts.numBatch,
      reset: opts.reset,
      sparseRowIdFn: opts.sparseRowIdFn,
    })) {
      perBatch.push(outputs.map((o) => o.copy()));
    }
    if (perBatch.length === 0) return [];
    if (!(opts.mergeBatches ?? true)) return perBatch;
    const numOutputs = perBatch[0]!.length;
    if (!perBatch.every((outs) => outs.length === numOutputs)) {
      for (const outs of perBatch) for (const o of outs) o.dispose();
      throw new ValueError('predict: batches give different numbers of outputs (maybe bucketing is used?); cannot merge them');
    }
    const merged = Array.from({ length: numOutputs }, (_, i) => {
      const parts = perBatch.map((outs) => outs[i]!);
      if (parts.length === 1) return parts[0]!;
      const whole = concat(parts, { dim: 0 });
      for (const p of parts) p.dispose();
      return whole;
    });
    return numOutputs === 1 && !opts.alwaysOutputList ? merged[0]! : merged;
  }

  /** Trains the module (MXNet 1.x's fit, step for step); blocks until the last epoch ends. */
  fit(trainData: DataIter, opts: FitOptions = {}): void {
    checkFitOptions('fit', opts);
    const steps = this.#fitSteps('fit', trainData, opts);
    while (!steps.next().done);
  }

  /**
   * fit that yields to the event loop (setImmediate) after every batch, so timers, I/O and signal
   * handlers run while it trains. Same options and callbacks as fit, plus `signal`: once it is
   * aborted, training stops after the current batch and resolves with `{ aborted: true, epoch,
   * batches }` (the epoch it stopped in, the batches of it trained). The unfinished epoch is not
   * treated as finished: no epoch-end callbacks (they would checkpoint it as epoch+1), no
   * validation, no reset of trainData; checkpoint it yourself if wanted. An abort between two
   * epochs (after one's callbacks and validation) reports the next epoch with 0 batches. The signal
   * is read after each batch, so one already aborted still trains the first batch. Resolves
   * `{ aborted: false }` when every epoch ran; rejects with whatever fit would throw.
   */
  async fitAsync(trainData: DataIter, opts: FitAsyncOptions = {}): Promise<FitEnd> {
    checkFitAsyncOptions('fitAsync', opts);
    const { signal, ...fitOpts } = opts;
    if (signal != null && !(signal instanceof AbortSignal)) throw new ValueError('fitAsync: signal must be an AbortSignal');
    const steps = this.#fitSteps('fitAsync', trainData, fitOpts);
    for (let step = steps.next(); !step.done; step = steps.next()) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (signal?.aborted) {
        steps.return(undefined);
        return { aborted: true, epoch: step.value.epoch, batches: step.value.batches };
      }
    }
    return { aborted: false };
  }

  /**
   * The one implementation of fit's loop, which fit drives synchronously and fitAsync between
   * event-loop turns: it yields after every batch (the epoch and the batches of it done) and after
   * each epoch's end except the last (the next epoch, 0 batches). It yields one object, updated in
   * place, so a step allocates nothing.
   */
  *#fitSteps(fn: string, trainData: DataIter, opts: FitOptions): Generator<{ epoch: number; batches: number }, void, undefined> {
    if (opts.numEpoch === undefined || opts.numEpoch === null) throw new ValueError(`${fn}: numEpoch is required`);
    const evalMetricSpec = opts.evalMetric ?? 'acc';
    this.bind(trainData.provideData, trainData.provideLabel, { forTraining: true, forceRebind: opts.forceRebind ?? false });
    if (opts.monitor) this.installMonitor(opts.monitor);
    this.initParams({
      initializer: opts.initializer === undefined ? new Uniform(0.01) : opts.initializer,
      argParams: opts.argParams,
      auxParams: opts.auxParams,
      allowMissing: opts.allowMissing ?? false,
      forceInit: opts.forceInit ?? false,
    });
    // null is MXNet's kvstore=None (no kvstore), not the default
    this.initOptimizer({
      kvstore: opts.kvstore === undefined ? 'local' : opts.kvstore,
      optimizer: opts.optimizer ?? 'sgd',
      optimizerParams: opts.optimizerParams ?? { learningRate: 0.01 },
    });
    // In a distributed job every worker trains, but only rank 0 logs, validates and runs the callbacks
    // (checkpoints, Speedometer): the workers hold the same parameters.
    const primary = (this.kvstore?.rank ?? 0) === 0;
    const log = primary ? this.logger : (): void => {};

    // A string metric gives validation its own fresh metric; an object is shared (score resets it).
    const validationSpec = opts.validationMetric ?? evalMetricSpec;
    const evalMetric = evalMetricSpec instanceof EvalMetric ? evalMetricSpec : createMetric(evalMetricSpec);

    const step = { epoch: 0, batches: 0 };
    for (let epoch = opts.beginEpoch ?? 0; epoch < opts.numEpoch; epoch++) {
      const tic = Date.now();
      evalMetric.reset();
      let nbatch = 0;
      let next = trainData.nextBatch();
      if (next === undefined) throw new ValueError(`${fn}: the training data gave no batch in epoch ${epoch}`);
      let endOfBatch = false;
      while (!endOfBatch) {
        const batch: DataBatch = next!;
        opts.monitor?.tic();
        this.forwardBackward(batch);
        this.update();
        this.updateMetric(evalMetric, batch.label);
        next = trainData.nextBatch();
        if (next === undefined) endOfBatch = true;
        else this.prepare(next, opts.sparseRowIdFn);
        opts.monitor?.tocPrint();
        let evalNameVals: NameValue[] | undefined;
        if (endOfBatch) evalNameVals = evalMetric.getGlobalNameValue();
        if (primary) callBatchEnd(opts.batchEndCallback, { epoch, nbatch, evalMetric, locals: { batch, evalNameVals } });
        nbatch += 1;
        if (endOfBatch) for (const [name, value] of evalNameVals!) log(`Epoch[${epoch}] Train-${name}=${value}`);
        else {
          step.epoch = epoch;
          step.batches = nbatch;
          yield step;
        }
      }
      log(`Epoch[${epoch}] Time cost=${((Date.now() - tic) / 1000).toFixed(3)}`);

      // Sync aux params across devices (get averages over devices, set broadcasts them back).
      const [argParams, auxParams] = this.getParams();
      this.setParams(argParams, auxParams);

      if (primary) callEpochEnd(opts.epochEndCallback, epoch, this.symbol, argParams, auxParams);

      if (opts.evalData && primary) {
        const res = this.score(opts.evalData, validationSpec, {
          scoreEndCallback: opts.evalEndCallback,
          batchEndCallback: opts.evalBatchEndCallback,
          epoch,
        });
        for (const [name, value] of res) this.logger(`Epoch[${epoch}] Validation-${name}=${value}`);
      }
      trainData.reset();
      if (epoch + 1 < opts.numEpoch) {
        step.epoch = epoch + 1;
        step.batches = 0;
        yield step;
      }
    }
  }

  // --- parameters -------------------------------------------------------------------------------

  /** Copies parameters in (initParams without an initializer). */
  setParams(
    argParams: Readonly<Record<string, NDArray>>,
    auxParams: Readonly<Record<string, NDArray>>,
    opts: SetParamsOptions = {},
  ): void {
    checkSetParamsOptions('setParams', opts);
    this.initParams({
      initializer: null,
      argParams,
      auxParams,
      allowMissing: opts.allowMissing ?? false,
      forceInit: opts.forceInit ?? true,
      allowExtra: opts.allowExtra ?? false,
    });
  }

  /** Writes the parameters as `arg:<name>` / `aux:<name>` arrays in one file. */
  saveParams(fname: string): void {
    const [argParams, auxParams] = this.getParams();
    const dict: Record<string, NDArray> = {};
    for (const [k, v] of Object.entries(argParams)) dict[`arg:${k}`] = v;
    for (const [k, v] of Object.entries(auxParams)) dict[`aux:${k}`] = v;
    save(fname, dict);
  }

  /** Reads a file written by saveParams and installs it with setParams. */
  loadParams(fname: string): void {
    const loaded = load(fname);
    if (Array.isArray(loaded)) throw new ValueError(`loadParams: invalid param file ${fname} (the arrays have no names)`);
    const args: [string, NDArray][] = [];
    const aux: [string, NDArray][] = [];
    for (const [key, value] of Object.entries(loaded as Record<string, NDArray>)) {
      const i = key.indexOf(':');
      const kind = i < 0 ? '' : key.slice(0, i);
      const name = key.slice(i + 1);
      if (kind === 'arg') args.push([name, value]);
      else if (kind === 'aux') aux.push([name, value]);
      else throw new ValueError(`loadParams: invalid param file ${fname} (entry '${key}')`);
    }
    // fromEntries defines keys, so a parameter called `__proto__` stays a key instead of a prototype.
    this.setParams(Object.fromEntries(args), Object.fromEntries(aux));
  }

  /** Installs a monitor on every executor. */
  abstract installMonitor(mon: MonitorLike): void;

  /** Hook run on each batch before forward (row-sparse pulls, bucket switches); here only a warning for sparseRowIdFn. */
  prepare(_batch: DataBatch, sparseRowIdFn?: SparseRowIdFn | null): void {
    if (sparseRowIdFn) this.logger(`Warning: sparseRowIdFn is not used by ${this.constructor.name}`);
  }

  // --- abstract primitives -------------------------------------------------------------------

  abstract get dataNames(): readonly string[];
  abstract get outputNames(): readonly string[];
  abstract get dataShapes(): readonly DataDesc[];
  abstract get labelShapes(): readonly DataDesc[] | null;
  abstract get outputShapes(): readonly [string, readonly number[]][];
  abstract getParams(): [ParamDict, ParamDict];
  abstract initParams(opts?: InitParamsOptions): void;
  abstract bind(dataShapes: readonly DataDescLike[], labelShapes?: readonly DataDescLike[] | null, opts?: BindOptions): void;
  abstract initOptimizer(opts?: InitOptimizerOptions): void;
  /** isTrain undefined means "use forTraining". */
  abstract forward(batch: DataBatch, opts?: { isTrain?: boolean }): void;
  abstract backward(outGrads?: readonly NDArray[]): void;
  /** Merged: one array per output; not merged: per output, one array per context. */
  abstract getOutputs(mergeMultiContext?: true): NDArray[];
  abstract getOutputs(mergeMultiContext: false): NDArray[][];
  abstract getInputGrads(mergeMultiContext?: true): NDArray[];
  abstract getInputGrads(mergeMultiContext: false): NDArray[][];
  abstract update(): void;
  abstract updateMetric(evalMetric: EvalMetric, labels: readonly NDArray[]): void;
}
