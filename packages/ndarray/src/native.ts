// Loads the one native addon, hands it the TS error classes and the metadata scratch buffer, and
// declares everything it exports in one interface, NativeAddon. test/native-surface.test.ts checks that
// the addon's exports and this interface's members are the same names, so a function added on either
// side alone fails the tests.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { addonLoadError, addonMissingError } from './addon-load-error.js';
import { errorClasses } from './errors.js';
import type { GemmBackend, GemmChoice, GemmPrecision, MemoryStats } from './runtime.js';

/** A native tensor handle: a number naming a slot of the addon's handle table (opaque to JS). */
export type NativeHandle = number & { readonly __nativeHandle: unique symbol };

/** What loadArrays returns: the arrays of an NDArray-list file, its names and its sparse arrays' parts. */
export interface LoadedList {
  arrays: NativeHandle[];
  names: string[];
  /** Per array: null for dense, else MXNet's storage type code, dense shape and aux handles. */
  sparse: ({ stype: number; shape: number[]; aux: NativeHandle[] } | null)[];
}

/**
 * A fused optimizer update of optimizer_binding.cc's table, in place:
 * (weight, grad, ...states, weight32 | null, ...the op's scalars, rescaleGrad, clipGradient).
 */
export type OptimizerUpdate = (...args: (NativeHandle | number | null)[]) => void;

/**
 * Every export of the addon, grouped by the napi/*_binding.cc file that registers it. Dtypes travel as
 * their codes (DTYPE_CODES), contexts as (devType, devId).
 */
export interface NativeAddon {
  // core_binding.cc: set-up, arrays, creation, random numbers
  init(errors: typeof errorClasses, scratch: Float64Array): void;
  memoryStats(): MemoryStats;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  empty(shape: readonly number[], dtype: number, devType: number, devId: number): NativeHandle;
  /** `caller` names the function in native errors: 0 full, 1 zeros, 2 ones. */
  full(shape: readonly number[], dtype: number, devType: number, devId: number, value: number, caller: number): NativeHandle;
  fromBuffer(data: ArrayBufferView, shape: readonly number[], dtype: number, devType: number, devId: number): NativeHandle;
  toBuffer(h: NativeHandle): ArrayBuffer;
  describe(h: NativeHandle): void;
  dispose(h: NativeHandle): void;
  reshapeView(h: NativeHandle, shape: number[]): NativeHandle;
  sliceRows(h: NativeHandle, begin: number, end: number): NativeHandle;
  astype(h: NativeHandle, dtype: number, devType: number, devId: number): NativeHandle;
  copyInto(dst: NativeHandle, src: NativeHandle): void;
  copyRowsInto(dst: NativeHandle, src: NativeHandle, begin: number): void;
  fill(h: NativeHandle, value: number): void;
  arange(start: number, step: number, n: number, dtype: number, devType: number, devId: number): NativeHandle;
  seed(n: number): void;
  randomUniform(low: number, high: number, shape: readonly number[], dtype: number, devType: number, devId: number): NativeHandle;
  randomNormal(loc: number, scale: number, shape: readonly number[], dtype: number, devType: number, devId: number): NativeHandle;
  randomRandint(low: number, high: number, shape: readonly number[], dtype: number, devType: number, devId: number): NativeHandle;

  // elemwise_binding.cc
  unaryOp(op: number, data: NativeHandle): NativeHandle;
  clip(data: NativeHandle, aMin: number, aMax: number): NativeHandle;
  binaryOp(op: number, lhs: NativeHandle, rhs: NativeHandle): NativeHandle;
  binaryScalarOp(op: number, data: NativeHandle, scalar: number, scalarOnLeft: boolean): NativeHandle;
  binaryOpInto(op: number, lhs: NativeHandle, rhs: NativeHandle, out: NativeHandle): void;
  binaryScalarOpInto(op: number, data: NativeHandle, scalar: number, scalarOnLeft: boolean, out: NativeHandle): void;
  where(condition: NativeHandle, x: NativeHandle, y: NativeHandle): NativeHandle;

  // reduce_binding.cc
  reduce(
    data: NativeHandle,
    op: number,
    axis: number | readonly number[] | null,
    keepdims: boolean,
    exclude: boolean,
    ord: number,
  ): NativeHandle;
  argmax(data: NativeHandle, axis: number | null, keepdims: boolean): NativeHandle;
  softmax(data: NativeHandle, axis: number, temperature: number, log: boolean): NativeHandle;

  // gemm_binding.cc
  dot(lhs: NativeHandle, rhs: NativeHandle, transposeA: boolean, transposeB: boolean): NativeHandle;
  batchDot(lhs: NativeHandle, rhs: NativeHandle, transposeA: boolean, transposeB: boolean): NativeHandle;
  /** OpenBLAS's own thread count, for tests that check setNumThreads reached it. */
  blasNumThreads(): number;
  setGemmBackend(backend: GemmBackend): void;
  gemmBackend(): GemmBackend;
  gemmChoices(): GemmChoice[];
  setGemmPrecision(precision: GemmPrecision): void;
  gemmPrecision(): GemmPrecision;
  /** How many times a weight was reordered into a oneDNN primitive's kept layout (once per write and layout). */
  weightLayoutReorders(): number;

  // indexing_binding.cc
  take(data: NativeHandle, indices: NativeHandle, axis: number, mode: number): NativeHandle;
  embedding(indices: NativeHandle, weight: NativeHandle): NativeHandle;
  embeddingBackward(indices: NativeHandle, gradOut: NativeHandle, inputDim: number): NativeHandle;
  oneHot(indices: NativeHandle, depth: number, onValue: number, offValue: number, dtype: number): NativeHandle;
  pick(data: NativeHandle, index: NativeHandle, axis: number, keepdims: boolean, mode: number): NativeHandle;
  pickInto(data: NativeHandle, index: NativeHandle, axis: number, keepdims: boolean, mode: number, out: NativeHandle): void;
  concat(arrays: NativeHandle[], dim: number): NativeHandle;
  stack(arrays: NativeHandle[], axis: number): NativeHandle;
  split(data: NativeHandle, numOutputs: number, axis: number, squeezeAxis: boolean): NativeHandle[];
  transpose(a: NativeHandle, axes?: readonly number[]): NativeHandle;

  // params_binding.cc
  saveArrays(
    path: string,
    arrays: NativeHandle[],
    names: string[],
    sparse: ([number, number[]] | null)[],
    aux: NativeHandle[],
  ): void;
  loadArrays(path: string): LoadedList;
  loadArraysFromBuffer(bytes: Uint8Array): LoadedList;

  // optimizer_binding.cc
  sgdUpdate: OptimizerUpdate;
  signsgdUpdate: OptimizerUpdate;
  sgdMomUpdate: OptimizerUpdate;
  nagMomUpdate: OptimizerUpdate;
  adamUpdate: OptimizerUpdate;
  rmspropUpdate: OptimizerUpdate;
  rmspropalexUpdate: OptimizerUpdate;
  ftrlUpdate: OptimizerUpdate;
  ftmlUpdate: OptimizerUpdate;
  signumUpdate: OptimizerUpdate;
  adagradUpdate: OptimizerUpdate;
  adadeltaUpdate: OptimizerUpdate;
  adamaxUpdate: OptimizerUpdate;
  nadamUpdate: OptimizerUpdate;
  lambUpdate: OptimizerUpdate;
  sgldUpdate: OptimizerUpdate;
  /**
   * One update `op` of many parameters: per parameter its arrays (weight, grad, states, weight32 if any)
   * in `tensors` and (hasWeight32, ...scalars, rescaleGrad, clipGradient) in `scalars`.
   */
  multiUpdate(op: string, tensors: NativeHandle[], scalars: Float64Array): void;

  // compression_binding.cc
  quantize2bit(grad: NativeHandle, residual: NativeHandle, threshold: number): NativeHandle;
  dequantize2bit(compressed: NativeHandle, threshold: number, shape: readonly number[]): NativeHandle;
  dequantize2bitInto(compressed: NativeHandle, threshold: number, out: NativeHandle): void;

  // plan_binding.cc
  planCreate(
    code: Int32Array,
    refs: Int32Array,
    attrs: Float64Array,
    nodeNames: string[],
    opNames: string[],
    numSlots: number,
  ): number;
  planSetSlot(plan: number, slot: number, array: NativeHandle): void;
  planSetArenaSlots(plan: number, table: Float64Array): void;
  planBindArena(plan: number, arena: NativeHandle): void;
  planSlotArray(plan: number, slot: number): NativeHandle;
  planRetargetSlotArray(plan: number, slot: number, array: NativeHandle): void;
  planRun(plan: number, begin: number, end: number, isTrain: boolean): void;
  planPrepare(plan: number): void;
  planDispose(plan: number): void;
  viewBytes(buffer: NativeHandle, byteOffset: number, shape: readonly number[], dtype: number): NativeHandle;
  sharedBytes(array: NativeHandle): ArrayBuffer;

  // profiler_binding.cc
  profilerSetRecording(symbolic: boolean, imperative: boolean): void;
  /** Events [from, count) as [name, detail, beginNs, durationNs] rows; name and detail index `names` (detail -1: none). */
  profilerEvents(from: number): { names: string[]; events: Float64Array };
  profilerClear(): void;

  // sparse_binding.cc
  checkCsr(data: NativeHandle, indices: NativeHandle, indptr: NativeHandle, shape: readonly number[]): void;
  checkRsp(data: NativeHandle, indices: NativeHandle, shape: readonly number[]): void;
  csrToDenseInto(data: NativeHandle, indices: NativeHandle, indptr: NativeHandle, out: NativeHandle): void;
  denseToCsr(dense: NativeHandle): NativeHandle[];
  rspToDenseInto(data: NativeHandle, indices: NativeHandle, out: NativeHandle): void;
  denseToRsp(dense: NativeHandle, allRows: boolean): NativeHandle[];
  csrDotDense(
    data: NativeHandle,
    indices: NativeHandle,
    indptr: NativeHandle,
    shape: readonly number[],
    rhs: NativeHandle,
  ): NativeHandle;
  csrTDotDense(
    data: NativeHandle,
    indices: NativeHandle,
    indptr: NativeHandle,
    shape: readonly number[],
    rhs: NativeHandle,
  ): NativeHandle[];
  lazySgdUpdate(
    weight: NativeHandle,
    gradData: NativeHandle,
    gradIndices: NativeHandle,
    mom: NativeHandle | null,
    lr: number,
    momentum: number,
    wd: number,
    rescaleGrad: number,
    clipGradient: number,
  ): void;
}

// The addon's node-gyp project. node-gyp-build looks in its build/Release first (a source build: in the
// repository, or by the install script where no prebuilt binary fits) and then in prebuilds/<platform>-<arch>/
// (the binary the npm tarball carries).
const addonDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'native');
const requireHere = createRequire(import.meta.url);
const nodeGypBuild = requireHere('node-gyp-build') as { path(dir: string): string };

// Debian's oneDNN runs on libgomp, which reads its settings once, when the addon loads it. By default
// its idle workers spin for ~300,000 pauses after each GEMM, taking the cores from bkt's pool, OpenBLAS
// and, on a shared machine, whoever holds the other core (a 2-thread matmul then fell to a tenth of its
// rate). Workers that sleep at once cost a wake-up per parallel region instead, and on a quiet VM the
// idle vCPU is halted, so that wake-up took 47–73 µs and the RNN's per-step products ran at half rate.
// So they spin for GOMP_SPIN_PAUSES (~85 µs here), which bridges the gaps between a step's products,
// then sleep, and bkt's own pool reads the same variable (thread_pool.cc) (measurements: the ndarray README, "One thread team at a time"). A user's OMP_WAIT_POLICY
// or GOMP_SPINCOUNT is kept.
const GOMP_SPIN_PAUSES = 3000;

function load(): NativeAddon {
  if (process.env['OMP_WAIT_POLICY'] === undefined) {
    process.env['OMP_WAIT_POLICY'] = 'PASSIVE';
    process.env['GOMP_SPINCOUNT'] ??= String(GOMP_SPIN_PAUSES);
  }
  let addonPath: string;
  try {
    addonPath = nodeGypBuild.path(addonDir);
  } catch {
    throw addonMissingError('@bkt/ndarray', addonDir);
  }
  try {
    return requireHere(addonPath) as NativeAddon;
  } catch (e) {
    throw addonLoadError('@bkt/ndarray', addonPath, e as Error);
  }
}

/** The addon's exports. */
export const native = load();

/**
 * Metadata of the most recently created or described handle: [ndim, dtypeCode, devType, devId, ...dims].
 * Shared with native code so creating an array costs one call and no extra allocation.
 */
export const scratch = new Float64Array(4 + 32);

native.init(errorClasses, scratch);
