// MXNet's DataParallelExecutorGroup: one executor per context, each batch split along its batch
// axis by the work load list, parameters kept identical on every context, outputs concatenated back.
// The batch axis of each input is the `N` of its desc's layout, that of each output the `N` of the
// output's `__layout__` attribute (axis 0 without one); -1 means no batch axis (the whole array goes to
// every device, and device 0's output is returned). Reshaping passes partialShaping, so a label whose
// shape was not given (predicting a batch of another size) follows the data.

import {
  add,
  arange,
  type Context,
  concat,
  divide,
  type DType,
  NDArray,
  RowSparseNDArray,
  ShapeError,
  sparse,
  take,
  ValueError,
  ownValue,
  setOwn,
} from '@bkt/ndarray';
import { DataDesc } from '../data/data-desc.js';
import { type BackwardOptions, Executor, type Group2Ctx } from '@bkt/executor';
import { formatShape, type Symbol as BktSymbol } from '@bkt/symbol';
import type { EvalMetric } from '../metrics/eval-metric.js';
import { type Group2Ctxs, prepareGroup2ctxs } from './group2ctxs.js';
import { sameShape } from '../util/same-shape.js';

type GradReq = 'write' | 'add' | 'null';
export type Slice = readonly [number, number];

/** MXNet's _split_input_slice: device i gets round(w_i·batch/Σw) rows, the remainder going to the last. */
export function splitInputSlice(batchSize: number, workLoadList: readonly number[]): Slice[] {
  const total = workLoadList.reduce((s, w) => s + w, 0);
  const counts = workLoadList.map((w) => roundHalfEven((w * batchSize) / total));
  counts[counts.length - 1]! += batchSize - counts.reduce((s, c) => s + c, 0);
  const slices: Slice[] = [];
  let end = 0;
  for (const c of counts) {
    const begin = Math.min(end, batchSize);
    end = Math.min(begin + c, batchSize);
    if (begin >= end)
      throw new ValueError('Too many slices: some splits are empty (batch size smaller than the number of devices?)');
    slices.push([begin, end]);
  }
  return slices;
}

function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

export interface ExecutorGroupOptions {
  contexts: readonly Context[];
  workLoadList: readonly number[];
  dataShapes: readonly DataDesc[];
  labelShapes: readonly DataDesc[] | null;
  paramNames: readonly string[];
  forTraining: boolean;
  inputsNeedGrad: boolean;
  sharedGroup?: DataParallelExecutorGroup | null;
  fixedParamNames?: readonly string[];
  gradReq?: GradReq | Readonly<Record<string, GradReq>>;
  stateNames?: readonly string[];
  /** Model parallelism: `__ctx_group__` → context, per device (see prepareGroup2ctxs). */
  group2ctxs?: Group2Ctxs | null;
  /** Bind every executor with AMP bfloat16 (see ModuleOptions.amp). */
  amp?: 'bfloat16' | null;
}

export class DataParallelExecutorGroup {
  readonly symbol: BktSymbol;
  readonly contexts: readonly Context[];
  readonly workLoadList: readonly number[];
  readonly paramNames: readonly string[];
  readonly argNames: readonly string[];
  readonly auxNames: readonly string[];
  readonly forTraining: boolean;
  readonly inputsNeedGrad: boolean;
  readonly gradReq: Record<string, GradReq>;
  readonly fixedParamNames: readonly string[];
  readonly stateNames: readonly string[];
  /** Per device context: its group → context map, or null. */
  readonly group2ctxs: readonly (Group2Ctx | null)[];
  readonly amp: 'bfloat16' | null;
  /** The batch axis of each output (its `__layout__` attribute's N; 0 without one). */
  readonly outputAxes: readonly number[];
  execs: Executor[] = [];
  dataShapes: readonly DataDesc[] = [];
  labelShapes: readonly DataDesc[] | null = null;
  slices: Slice[] = [];
  batchSize = 0;
  #origExecs: Executor[] | null = null;
  /** What getOutputs / getInputGrads merged across devices since the last forward / backward. */
  #merged: { outputs: NDArray[] | null; inputGrads: NDArray[] | null } = { outputs: null, inputGrads: null };
  #arrays: { args: Record<string, NDArray>[]; params: NDArray[][]; grads: NDArray[][]; aux: NDArray[][] } = {
    args: [],
    params: [],
    grads: [],
    aux: [],
  };
  /** The label arrays the last forward copied into the executors (whose bound label arrays then hold each device's slice). */
  #loadedLabels: readonly NDArray[] = [];

  constructor(symbol: BktSymbol, opts: ExecutorGroupOptions) {
    this.symbol = symbol;
    this.contexts = opts.contexts;
    this.workLoadList = opts.workLoadList;
    this.paramNames = opts.paramNames;
    this.argNames = symbol.listArguments();
    this.auxNames = symbol.listAuxiliaryStates();
    this.forTraining = opts.forTraining;
    this.inputsNeedGrad = opts.inputsNeedGrad;
    this.fixedParamNames = opts.fixedParamNames ?? [];
    this.stateNames = opts.stateNames ?? [];
    this.group2ctxs = prepareGroup2ctxs(opts.group2ctxs, this.contexts.length);
    this.amp = opts.amp ?? null;
    this.outputAxes = symbol.listOutputs().map((_, i) => DataDesc.getBatchAxis(symbol.at(i).attr('__layout__') ?? null));
    this.gradReq = this.#resolveGradReq(
      opts.gradReq ?? 'write',
      opts.dataShapes.map((d) => d.name),
    );
    this.#bindExec(opts.dataShapes, opts.labelShapes, opts.sharedGroup ?? null, false);
  }

  #resolveGradReq(spec: GradReq | Readonly<Record<string, GradReq>>, dataNames: readonly string[]): Record<string, GradReq> {
    const out: Record<string, GradReq> = {};
    for (const name of this.argNames) {
      if (!this.forTraining) setOwn(out, name, 'null');
      else if (this.paramNames.includes(name))
        setOwn(out, name, this.fixedParamNames.includes(name) ? 'null' : typeof spec === 'string' ? spec : 'write');
      else if (dataNames.includes(name))
        setOwn(out, name, this.inputsNeedGrad ? (typeof spec === 'string' ? spec : 'write') : 'null');
      else setOwn(out, name, 'null');
    }
    if (typeof spec !== 'string' && this.forTraining) {
      for (const [k, v] of Object.entries(spec)) {
        if (!this.argNames.includes(k)) throw new ValueError(`gradReq: '${k}' is not an argument of the symbol`);
        setOwn(out, k, v);
      }
    }
    return out;
  }

  /** The batch size (all inputs with a batch axis must agree) and each device's slice of it. */
  #decideSlices(descs: readonly DataDesc[]): [number, Slice[]] {
    let batch: number | undefined;
    for (const d of descs) {
      const axis = d.batchAxis;
      if (axis === -1) continue;
      const n = d.shape[axis];
      if (n === undefined)
        throw new ShapeError(
          `DataParallelExecutorGroup: '${d.name}' has shape ${formatShape(d.shape)}, without the batch axis ${axis} of its layout '${d.layout}'`,
        );
      if (batch !== undefined && n !== batch)
        throw new ValueError(
          `DataParallelExecutorGroup: all inputs must have the same batch size (${d.name}: ${n}, others: ${batch})`,
        );
      batch = n;
    }
    return [batch ?? 0, splitInputSlice(batch ?? 0, this.workLoadList)];
  }

  #bindExec(
    dataShapes: readonly DataDesc[],
    labelShapes: readonly DataDesc[] | null,
    shared: DataParallelExecutorGroup | null,
    reshape: boolean,
  ): void {
    this.#releaseMerged('outputs');
    this.#releaseMerged('inputGrads');
    const descs = [...dataShapes, ...(labelShapes ?? [])];
    const [batchSize, slices] = this.#decideSlices(descs);
    const shapesOf = (k: number): Record<string, number[]> => slicedShapes(descs, slices[k]!);
    if (reshape) {
      const execs: Executor[] = [];
      try {
        for (const [k, orig] of this.#origExecs!.entries()) {
          execs.push(orig.reshape(shapesOf(k), { allowUpSizing: true, partialShaping: true }));
          this.#checkParamsKept(orig, execs[k]!, descs);
        }
      } catch (e) {
        for (const x of execs) x.dispose();
        throw e;
      }
      this.execs = execs;
    } else {
      const dtypes: Record<string, DType> = Object.fromEntries(descs.map((d) => [d.name, d.dtype]));
      this.execs = this.contexts.map((ctx, k) => {
        const group2ctx = this.group2ctxs[k];
        return Executor.simpleBind(this.symbol, {
          ctx,
          shapes: shapesOf(k),
          dtypes,
          gradReq: this.gradReq,
          sharedExec: shared?.execs[k],
          ...(group2ctx ? { group2ctx } : {}),
          ...(this.amp ? { amp: this.amp } : {}),
        });
      });
    }
    this.batchSize = batchSize;
    this.slices = slices;
    this.dataShapes = dataShapes;
    this.labelShapes = labelShapes;
    this.#collectArrays();
  }

  /**
   * Reshaping may change the inputs and what follows from them, never a parameter or aux state
   * (MXNet's reshape without partial shaping refuses it too): a new shape there means the inputs do
   * not fit the network, and the executor would compute with fresh, uninitialized arrays.
   */
  #checkParamsKept(orig: Executor, next: Executor, descs: readonly DataDesc[]): void {
    const check = (
      names: readonly string[],
      before: Record<string, NDArray>,
      after: Record<string, NDArray>,
      what: string,
    ): void => {
      for (const n of names) {
        const [a, b] = [before[n], after[n]];
        if (a === undefined || b === undefined || sameShape(a.shape, b.shape)) continue;
        const inputs = descs.map((d) => `${d.name} ${formatShape(d.shape)}`).join(', ');
        const bound = [...this.dataShapes, ...(this.labelShapes ?? [])]
          .map((d) => `${d.name} ${formatShape(d.shape)}`)
          .join(', ');
        throw new ShapeError(
          `reshape: inputs ${inputs} would change ${what} '${n}' from ${formatShape(a.shape)} to ${formatShape(b.shape)} (bound with ${bound})`,
        );
      }
    };
    check(this.paramNames, orig.argDict, next.argDict, 'parameter');
    check(this.auxNames, orig.auxDict, next.auxDict, 'auxiliary state');
  }

  /** Rebinds for new input shapes (no-op when they are the same), sharing the original executors' arrays. */
  reshape(dataShapes: readonly DataDesc[], labelShapes: readonly DataDesc[] | null): void {
    const same = (a: readonly DataDesc[] | null, b: readonly DataDesc[] | null): boolean =>
      (a ?? []).length === (b ?? []).length && (a ?? []).every((d, i) => d.equals(b![i]!));
    if (same(dataShapes, this.dataShapes) && same(labelShapes, this.labelShapes)) return;
    if (this.#origExecs === null) this.#origExecs = this.execs;
    const superseded = this.execs === this.#origExecs ? [] : this.execs;
    this.#bindExec(dataShapes, labelShapes, null, true);
    // Executors reshaped before this one are never run again (reshapes start from the originals):
    // free them now rather than when the garbage collector finds them, so that predicting batches
    // of changing sizes does not accumulate their inputs and outputs.
    for (const e of superseded) e.dispose();
  }

  /** Frees the executors (arrays shared through the pool stay with the executors still using them). */
  dispose(): void {
    this.#releaseMerged('outputs');
    this.#releaseMerged('inputGrads');
    for (const e of new Set([...this.execs, ...(this.#origExecs ?? [])])) e.dispose();
    this.execs = [];
    this.#origExecs = null;
  }

  /** Bytes of the intermediate arenas, one per context, shared with every group bound against this one. */
  get arenaBytes(): number {
    return this.execs.reduce((sum, e) => sum + e.arenaBytes, 0);
  }

  /** Parameter arrays per parameter, one per device. */
  get paramArrays(): NDArray[][] {
    return this.#arrays.params;
  }

  /** Gradient arrays per parameter, one per device (empty lists for parameters without gradient). */
  get gradArrays(): NDArray[][] {
    return this.#arrays.grads;
  }

  get auxArrays(): NDArray[][] {
    return this.#arrays.aux;
  }

  /** Collected once per bind / reshape: the executors' dicts are rebuilt on every access. */
  #collectArrays(): void {
    const args = this.execs.map((e) => e.argDict);
    const grads = this.execs.map((e) => e.gradDict);
    const aux = this.execs.map((e) => e.auxDict);
    this.#loadedLabels = [];
    this.#arrays = {
      args,
      params: this.paramNames.map((n) => args.map((d) => d[n]!)),
      grads: this.paramNames.map((n) => grads.flatMap((d) => (d[n] ? [d[n]!] : []))),
      aux: this.auxNames.map((n) => aux.map((d) => d[n]!)),
    };
  }

  /** Copies the parameters into every executor. */
  setParams(
    argParams: Readonly<Record<string, NDArray>>,
    auxParams: Readonly<Record<string, NDArray>>,
    allowExtra = false,
  ): void {
    for (const e of this.execs) e.copyParamsFrom(argParams, auxParams, allowExtra);
  }

  /**
   * Writes the average over devices of every parameter into the given (CPU) arrays. The executors
   * hold row_sparse parameters densely, every row present, so a row_sparse target stores every row.
   */
  getParams(argParams: Record<string, NDArray>, auxParams: Record<string, NDArray>): void {
    const average = (copies: NDArray[], target: NDArray): void => {
      if (target instanceof RowSparseNDArray) {
        const dense = copies[0]!.copy();
        average(copies, dense);
        sparse.assignAllRows(target, dense);
        dense.dispose();
        return;
      }
      if (copies.length === 1) {
        copies[0]!.copyTo(target);
        return;
      }
      const onTarget = copies.map((c) => c.copyTo(target.context));
      const made = [...onTarget];
      let sum = onTarget[0]!;
      for (const c of onTarget.slice(1)) made.push((sum = add(sum, c)));
      const mean = divide(sum, copies.length);
      mean.copyTo(target);
      for (const a of [...made, mean]) a.dispose();
    };
    this.paramNames.forEach((n, i) => {
      const arg = ownValue(argParams, n);
      if (arg) average(this.paramArrays[i]!, arg);
    });
    this.auxNames.forEach((n, i) => {
      const aux = ownValue(auxParams, n);
      if (aux) average(this.auxArrays[i]!, aux);
    });
  }

  /**
   * Copies each device's slice of the batch into its executor, then runs forward everywhere. Every
   * array must have exactly its bound input's shape (a ShapeError otherwise: reshape first); labels
   * may be omitted (the bound label arrays keep their values).
   */
  forward(data: readonly NDArray[], labels: readonly NDArray[], isTrain: boolean): void {
    this.#checkInputs('data', this.dataShapes, data);
    const withLabels = this.labelShapes !== null && labels.length > 0;
    if (withLabels) this.#checkInputs('label', this.labelShapes!, labels);
    const load = (descs: readonly DataDesc[], arrays: readonly NDArray[]): void => {
      descs.forEach((d, i) => {
        const src = arrays[i]!;
        this.#arrays.args.forEach((args, k) => {
          const dst = args[d.name]!;
          const [b, end] = this.slices[k]!;
          if (d.batchAxis === -1 || (b === 0 && end === src.shape[d.batchAxis])) src.copyTo(dst);
          else if (d.batchAxis === 0) src.copyRowsTo(dst, b);
          else {
            const part = sliceAxis(src, d.batchAxis, b, end);
            try {
              part.copyTo(dst);
            } finally {
              part.dispose();
            }
          }
        });
      });
    };
    load(this.dataShapes, data);
    if (withLabels) load(this.labelShapes!, labels);
    this.#loadedLabels = withLabels ? [...labels] : [];
    this.#releaseMerged('outputs');
    this.#releaseMerged('inputGrads');
    for (const e of this.execs) e.forward({ isTrain });
  }

  #checkInputs(kind: 'data' | 'label', descs: readonly DataDesc[], arrays: readonly NDArray[]): void {
    if (arrays.length !== descs.length) {
      throw new ValueError(
        `forward: ${arrays.length} ${kind} arrays given for ${descs.length} bound ${kind} inputs (${descs.map((d) => d.name).join(', ')})`,
      );
    }
    descs.forEach((d, i) => {
      const a = arrays[i];
      if (!(a instanceof NDArray)) throw new ValueError(`forward: ${kind} '${d.name}' is not an NDArray`);
      if (!sameShape(a.shape, d.shape)) {
        throw new ShapeError(
          `forward: ${kind} '${d.name}' has shape ${formatShape(a.shape)}, but the module is bound with ${formatShape(d.shape)}`,
        );
      }
    });
  }

  /**
   * `onGradientsReady` hears from the last device's executor: when it reports a gradient final, the
   * other devices have finished their whole backward pass already.
   */
  backward(outGrads?: readonly NDArray[], onGradientsReady?: BackwardOptions['onGradientsReady']): void {
    if (!this.forTraining) throw new ValueError('backward: the executor group was not bound for training');
    this.#releaseMerged('inputGrads');
    this.execs.forEach((e, k) => {
      const opts = k === this.execs.length - 1 ? { onGradientsReady } : {};
      if (outGrads === undefined) {
        e.backward(undefined, opts);
        return;
      }
      const [b, end] = this.slices[k]!;
      const parts = outGrads.map((g, i) =>
        this.outputAxes[i] === -1 || this.execs.length === 1 ? g : sliceAxis(g, this.outputAxes[i]!, b, end),
      );
      try {
        e.backward(parts, opts);
      } finally {
        parts.forEach((p, i) => p !== outGrads[i] && p.dispose());
      }
    });
  }

  /** Per output: merged along the batch axis, or one array per device. */
  /**
   * Per output: merged along the batch axis, or one array per device. Merged arrays of several
   * devices are made once per forward and freed at the next forward (the executors' own outputs,
   * which one device returns, are overwritten then too): valid until the next forward.
   */
  getOutputs(mergeMultiContext = true): NDArray[] | NDArray[][] {
    const perOutput = this.symbol.listOutputs().map((_, i) => this.execs.map((e) => e.outputs[i]!));
    if (!mergeMultiContext) return perOutput;
    this.#merged.outputs ??= perOutput.map((parts, i) => merge(parts, this.outputAxes[i]!));
    return this.#merged.outputs;
  }

  /** As getOutputs, for the data inputs' gradients: merged ones are valid until the next backward. */
  getInputGrads(mergeMultiContext = true): NDArray[] | NDArray[][] {
    if (!this.inputsNeedGrad) throw new ValueError('getInputGrads: bind with inputsNeedGrad to have input gradients');
    const perInput = this.dataShapes.map((d) => this.execs.map((e) => e.gradDict[d.name]!));
    if (!mergeMultiContext) return perInput;
    this.#merged.inputGrads ??= perInput.map((parts, i) => merge(parts, this.dataShapes[i]!.batchAxis));
    return this.#merged.inputGrads;
  }

  /** Frees the merged outputs (and input gradients) made since the last forward; the devices' own arrays stay. */
  #releaseMerged(which: 'outputs' | 'inputGrads'): void {
    const merged = this.#merged[which];
    if (merged === null) return;
    const own = (a: NDArray): boolean => this.execs.some((e) => e.outputs.includes(a) || e.gradArrays.includes(a));
    for (const a of merged) if (!own(a)) a.dispose();
    this.#merged[which] = null;
  }

  /** The state arrays (stateNames) per state, one per device; merging is not supported, as in MXNet. */
  getStates(mergeMultiContext = false): NDArray[][] {
    if (mergeMultiContext)
      throw new ValueError('getStates: merging the states of several devices is not supported; pass mergeMultiContext=false');
    return this.stateNames.map((n) => this.#arrays.args.map((d) => d[n]!));
  }

  /** Copies per-state, per-device arrays in, or fills every state array with `value`. */
  setStates(states: readonly (readonly NDArray[])[] | null, value: number | null): void {
    if ((states === null) === (value === null)) throw new ValueError('setStates: give exactly one of states and value');
    const mine = this.getStates(false);
    if (states !== null) {
      if (states.length !== mine.length) throw new ValueError(`setStates: ${states.length} states given for ${mine.length}`);
      mine.forEach((devs, i) => devs.forEach((dst, k) => states[i]![k]!.copyTo(dst)));
    } else for (const devs of mine) for (const dst of devs) dst.fill(value!);
  }

  /** Output shapes with the batch axis set to the whole batch. */
  getOutputShapes(): [string, number[]][] {
    const names = this.symbol.listOutputs();
    return this.execs[0]!.outputs.map((o, i) => [
      names[i]!,
      o.shape.map((s, j) => (j === this.outputAxes[i] ? this.batchSize : s)),
    ]);
  }

  /**
   * Updates the metric with each device's slice of the labels and its outputs. Labels that the last
   * forward loaded (fit's order) are read from the executors' own label arrays, which hold each
   * device's slice already, on its device: no per-batch slice or copy.
   */
  updateMetric(metric: EvalMetric, labels: readonly NDArray[]): void {
    const labelNames = (this.labelShapes ?? []).map((d) => d.name);
    const outNames = this.symbol.listOutputs();
    this.execs.forEach((e, k) => {
      const [b, end] = this.slices[k]!;
      const labelDict: Record<string, NDArray> = {};
      const sliced: NDArray[] = [];
      labelNames.forEach((n, i) => {
        const axis = this.labelShapes![i]!.batchAxis;
        const label = labels[i];
        if (!label) return;
        const bound = this.#arrays.args[k]![n];
        if (this.execs.length > 1 && label === this.#loadedLabels[i] && bound !== undefined && bound.dtype === label.dtype)
          labelDict[n] = bound;
        else if (this.execs.length === 1 || axis === -1) labelDict[n] = label;
        else sliced.push((labelDict[n] = sliceAxis(label, axis, b, end)));
      });
      const predDict: Record<string, NDArray> = Object.fromEntries(outNames.map((n, i) => [n, e.outputs[i]!]));
      try {
        metric.updateDict(labelDict, predDict);
      } finally {
        for (const a of sliced) a.dispose();
      }
    });
  }
}

/** Rows [b, e) along `axis`: a view on axis 0, a gathered copy on any other. */
/** Each input's shape on one device: its slice of the batch axis, or the whole shape without one. */
function slicedShapes(descs: readonly DataDesc[], [b, e]: Slice): Record<string, number[]> {
  return Object.fromEntries(
    descs.map((d) => [d.name, d.batchAxis === -1 ? [...d.shape] : d.shape.map((s, j) => (j === d.batchAxis ? e - b : s))]),
  );
}

function sliceAxis(a: NDArray, axis: number, b: number, e: number): NDArray {
  if (axis === 0) return a.slice(b, e);
  const rows = arange(b, e);
  try {
    return take(a, rows, { axis });
  } finally {
    rows.dispose();
  }
}

/** One array from the devices' parts: concatenated along the batch axis, device 0's without one. */
function merge(parts: NDArray[], axis: number): NDArray {
  if (parts.length === 1 || axis === -1) return parts[0]!;
  const ctx = parts[0]!.context;
  const moved = parts.map((p) => (p.context.equals(ctx) ? p : p.copyTo(ctx)));
  try {
    return concat(moved, { dim: axis });
  } finally {
    moved.forEach((m, i) => m !== parts[i] && m.dispose());
  }
}
