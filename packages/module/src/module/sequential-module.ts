// MXNet's SequentialModule: a chain of modules, each one's outputs the next one's data. Forward runs
// the chain front to back, backward back to front (each module's input gradients are the previous
// one's output gradients), and every module keeps its own parameters and optimizer.

import { checkOptions, type NDArray, StateError, ValueError } from '@bkt/ndarray';
import type { Logger } from '../callbacks/format.js';
import { DataBatch } from '../data/data-batch.js';
import { DataDesc, type DataDescLike } from '../data/data-desc.js';
import type { EvalMetric } from '../metrics/eval-metric.js';
import {
  BaseModule,
  type BindOptions,
  type InitOptimizerOptions,
  type InitParamsOptions,
  type ParamDict,
} from './base-module.js';
import type { MonitorLike } from './types.js';
import { checkBindOptions, checkInitOptimizerOptions, checkInitParamsOptions } from './check-options.js';

/** How a module takes part in the chain (MXNet's `add(module, **meta)`). */
export interface SequentialMeta {
  /** The module gets the batch's labels (and updates the metric). Default false. */
  takeLabels?: boolean;
  /** The previous module's outputs are renamed to this module's dataNames, in order. Default false. */
  autoWiring?: boolean;
}

const META_KEYS: readonly string[] = ['takeLabels', 'autoWiring'];

export class SequentialModule extends BaseModule {
  readonly #modules: BaseModule[] = [];
  readonly #metas: Required<SequentialMeta>[] = [];
  #labelShapes: DataDesc[] | null = null;

  constructor(opts: { logger?: Logger } = {}) {
    super(opts);
    checkOptions(opts, ['logger'], 'SequentialModule');
  }

  /** Appends a module; the chain must then be bound and initialized again. Returns this, for chaining. */
  add(module: BaseModule, meta: SequentialMeta = {}): this {
    if (!(module instanceof BaseModule)) throw new ValueError('SequentialModule.add: module must be a BaseModule');
    const unknown = Object.keys(meta).filter((k) => !META_KEYS.includes(k));
    if (unknown.length > 0)
      throw new ValueError(`SequentialModule.add: unknown meta ${unknown.join(', ')} (known: ${META_KEYS.join(', ')})`);
    this.#modules.push(module);
    this.#metas.push({ takeLabels: meta.takeLabels ?? false, autoWiring: meta.autoWiring ?? false });
    this.binded = false;
    this.paramsInitialized = false;
    this.optimizerInitialized = false;
    return this;
  }

  /** The chained modules, first to last. */
  get modules(): readonly BaseModule[] {
    return this.#modules;
  }

  get dataNames(): readonly string[] {
    return this.#modules[0]?.dataNames ?? [];
  }
  get outputNames(): readonly string[] {
    return this.#modules.at(-1)?.outputNames ?? [];
  }
  get dataShapes(): readonly DataDesc[] {
    this.requireBound('dataShapes');
    return this.#modules[0]!.dataShapes;
  }
  /** The labels given to bind, or null when no module takes labels. */
  get labelShapes(): readonly DataDesc[] | null {
    this.requireBound('labelShapes');
    return this.#labelShapes;
  }
  get outputShapes(): readonly [string, readonly number[]][] {
    this.requireBound('outputShapes');
    return this.#modules.at(-1)!.outputShapes;
  }

  // --- parameters -------------------------------------------------------------------------------

  /** Every module's parameters in one pair of dicts. */
  getParams(): [ParamDict, ParamDict] {
    this.requireParams('getParams');
    const arg: ParamDict = {};
    const aux: ParamDict = {};
    for (const m of this.#modules) {
      const [a, x] = m.getParams();
      Object.assign(arg, a);
      Object.assign(aux, x);
    }
    return [arg, aux];
  }

  /**
   * Initializes every module from the same dicts (each takes its own names). Unknown names are an
   * error unless allowExtra, and two modules may not share a parameter name.
   */
  initParams(opts: InitParamsOptions = {}): void {
    checkInitParamsOptions('SequentialModule.initParams', opts);
    if (this.paramsInitialized && !opts.forceInit) return;
    this.requireBound('initParams');
    for (const m of this.#modules) m.initParams({ ...opts, allowExtra: true });
    const argOwner = new Map<string, number>();
    const auxOwner = new Map<string, number>();
    this.#modules.forEach((m, i) => {
      const [arg, aux] = m.getParams();
      claimNames(argOwner, Object.keys(arg), i);
      claimNames(auxOwner, Object.keys(aux), i);
    });
    if (!opts.allowExtra) {
      const extra = [
        ...Object.keys(opts.argParams ?? {}).filter((n) => !argOwner.has(n)),
        ...Object.keys(opts.auxParams ?? {}).filter((n) => !auxOwner.has(n)),
      ];
      if (extra.length > 0)
        throw new ValueError(`initParams: no module has the parameters ${extra.join(', ')} (pass allowExtra to ignore them)`);
    }
    this.paramsInitialized = true;
  }

  // --- binding ----------------------------------------------------------------------------------

  /**
   * Binds each module on the previous one's output shapes (renamed to its dataNames with
   * autoWiring). Every module but the first computes input gradients when training, to pass back.
   */
  bind(dataShapes: readonly DataDescLike[], labelShapes: readonly DataDescLike[] | null = null, opts: BindOptions = {}): void {
    checkBindOptions('SequentialModule.bind', opts);
    if (this.binded && !opts.forceRebind) {
      this.logger('Warning: Already bound, ignoring bind()');
      return;
    }
    const forTraining = opts.forTraining ?? true;
    const inputsNeedGrad = opts.inputsNeedGrad ?? false;
    if (inputsNeedGrad && !forTraining) throw new ValueError('bind: inputsNeedGrad needs forTraining');
    if (opts.sharedModule) throw new ValueError('bind: SequentialModule does not support sharedModule');
    if (this.#modules.length === 0) throw new StateError('bind: the SequentialModule is empty; add() modules first');
    const labels = labelShapes && labelShapes.length > 0 ? DataDesc.fromList(labelShapes, 'bind', 'labelShapes') : null;
    let shapes: readonly DataDescLike[] = DataDesc.fromList(dataShapes, 'bind', 'dataShapes');
    this.#modules.forEach((m, i) => {
      const meta = this.#metas[i]!;
      if (meta.autoWiring)
        shapes = this.#wire(
          m,
          shapes.map((d) => DataDesc.from(d)),
          'bind',
        );
      m.bind(shapes, meta.takeLabels ? labels : null, {
        forTraining,
        inputsNeedGrad: inputsNeedGrad || (forTraining && i > 0),
        forceRebind: opts.forceRebind ?? false,
        gradReq: opts.gradReq ?? 'write',
      });
      shapes = m.outputShapes;
    });
    this.#labelShapes = this.#metas.some((m) => m.takeLabels) ? labels : null;
    // MXNet leaves these unset here (so its getInputGrads always refuses); set them as Module does.
    this.forTraining = forTraining;
    this.inputsNeedGrad = inputsNeedGrad;
    this.binded = true;
  }

  // The previous outputs under `module`'s data names, in order.
  #wire(module: BaseModule, descs: readonly DataDesc[], call: string): DataDesc[] {
    const names = module.dataNames;
    if (names.length !== descs.length) {
      throw new ValueError(
        `${call}: autoWiring needs as many inputs as the module's dataNames [${names.join(', ')}], got ${descs.length}`,
      );
    }
    return descs.map((d, i) => d.with({ name: names[i]! }));
  }

  // --- optimizer --------------------------------------------------------------------------------

  /** Gives every module its own optimizer with the same settings. */
  initOptimizer(opts: InitOptimizerOptions = {}): void {
    checkInitOptimizerOptions('SequentialModule.initOptimizer', opts);
    this.requireParams('initOptimizer');
    if (this.optimizerInitialized && !opts.forceInit) {
      this.logger('Warning: optimizer already initialized, ignoring.');
      return;
    }
    for (const m of this.#modules) m.initOptimizer(opts);
    this.optimizerInitialized = true;
  }

  // --- computation ------------------------------------------------------------------------------

  /** Runs the chain; each module after the first gets the previous outputs as data, and the batch's labels. */
  forward(batch: DataBatch, opts: { isTrain?: boolean } = {}): void {
    this.requireParams('forward');
    let current = batch;
    this.#modules.forEach((m, i) => {
      m.forward(current, opts);
      const next = this.#modules[i + 1];
      if (!next) return;
      const data = m.getOutputs();
      let provideData: DataDesc[] | null = null;
      if (batch.provideData) {
        const descs = m.outputShapes.map(([name], k) => new DataDesc(name, data[k]!.shape));
        provideData = this.#metas[i + 1]!.autoWiring ? this.#wire(next, descs, 'forward') : descs;
      }
      current = new DataBatch(data, batch.label, {
        pad: batch.pad,
        index: batch.index ?? null,
        bucketKey: batch.bucketKey ?? null,
        provideData,
        provideLabel: batch.provideLabel ?? null,
      });
    });
  }

  /** Backward through the chain, last module first, feeding each one's input gradients to the one before. */
  backward(outGrads?: readonly NDArray[]): void {
    this.requireParams('backward');
    let grads = outGrads;
    for (let i = this.#modules.length - 1; i >= 0; i--) {
      const m = this.#modules[i]!;
      m.backward(grads);
      if (i > 0) grads = m.getInputGrads();
    }
  }

  update(): void {
    this.requireOptimizer('update');
    for (const m of this.#modules) m.update();
  }

  getOutputs(mergeMultiContext?: true): NDArray[];
  getOutputs(mergeMultiContext: false): NDArray[][];
  getOutputs(mergeMultiContext = true): NDArray[] | NDArray[][] {
    this.requireParams('getOutputs');
    const last = this.#modules.at(-1)!;
    return mergeMultiContext ? last.getOutputs(true) : last.getOutputs(false);
  }

  /** The first module's input gradients (bind with inputsNeedGrad). */
  getInputGrads(mergeMultiContext?: true): NDArray[];
  getInputGrads(mergeMultiContext: false): NDArray[][];
  getInputGrads(mergeMultiContext = true): NDArray[] | NDArray[][] {
    this.requireParams('getInputGrads');
    if (!this.inputsNeedGrad) throw new StateError('getInputGrads: bind with inputsNeedGrad=true to get input gradients');
    const first = this.#modules[0]!;
    return mergeMultiContext ? first.getInputGrads(true) : first.getInputGrads(false);
  }

  /** Updates the metric from every module that takes labels. */
  updateMetric(evalMetric: EvalMetric, labels: readonly NDArray[]): void {
    this.requireParams('updateMetric');
    this.#modules.forEach((m, i) => {
      if (this.#metas[i]!.takeLabels) m.updateMetric(evalMetric, labels);
    });
  }

  installMonitor(mon: MonitorLike): void {
    this.requireBound('installMonitor');
    for (const m of this.#modules) m.installMonitor(mon);
  }
}

function claimNames(owner: Map<string, number>, names: readonly string[], layer: number): void {
  for (const name of names) {
    const first = owner.get(name);
    if (first !== undefined) {
      throw new ValueError(`initParams: duplicated parameter name '${name}' in module ${layer}, already used in module ${first}`);
    }
    owner.set(name, layer);
  }
}
