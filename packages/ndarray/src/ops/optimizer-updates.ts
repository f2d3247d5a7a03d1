// Fused optimizer updates (MXNet's sgd_update, sgd_mom_update, adam_update ...): each call updates the
// weight and its state arrays in place in one native pass and returns the weight. multiUpdate runs
// one of them for many parameters in a single native call.
//
// Shared options: `lr`, `wd` (0), `rescaleGrad` (1), `clipGradient` (-1: a negative value turns
// clipping off, 0 clips to zero, as in MXNet's kernels), and `weight32`, a float32 master copy of a
// float16 or bfloat16 (or float32) weight (MXNet's mp_* ops): the update then runs in float32 on weight32
// and the states, and the weight receives the rounded result (a 16-bit weight needs the copy). States have the compute dtype (the weight's, or
// float32 with weight32) and the weight's shape.
import { StateError, ValueError } from '../errors.js';
import { type NativeHandle, native } from '../native.js';
import type { NDArray } from '../ndarray.js';
import { RowSparseNDArray } from '../sparse.js';
import { checkFiniteNumber } from '../validate.js';

// One table-driven binding on the C++ side serves every native update by name (NativeAddon's members
// typed OptimizerUpdate); FUSED below is the same table on this side.

/** Options every fused update accepts. */
export interface UpdateOptions {
  lr: number;
  /** Weight decay (L2), 0 by default. */
  wd?: number;
  /** Multiplies the gradient first, 1 by default. */
  rescaleGrad?: number;
  /** Clips the rescaled gradient to [-c, c] when c >= 0; -1 (off) by default. */
  clipGradient?: number;
  /** A float32 master copy of a float16, bfloat16 or float32 weight (MXNet's multi_precision). */
  weight32?: NDArray;
  /**
   * sgd / sgd_mom with a row_sparse gradient: update only the rows the gradient holds (MXNet's
   * lazy_update, true by default); false updates every row as if the gradient were dense.
   */
  lazyUpdate?: boolean;
}

function handleOf(a: NDArray, op: string, arg: string): NativeHandle {
  if (a.isDisposed) throw new StateError(`${op}: ${arg} was disposed`);
  return a.handle;
}

function masterOf(o: { weight32?: NDArray }, op: string): NativeHandle | null {
  return o.weight32 === undefined ? null : handleOf(o.weight32, op, 'weight32');
}

/**
 * Every number in the options must be finite: one NaN learning rate or rescale factor would silently
 * turn the whole weight into NaN. (Which keys an op reads is its own business; unknown ones are ignored.)
 */
function checkScalarOptions(opts: object, op: string): void {
  for (const [key, value] of Object.entries(opts)) {
    // weight32 is checked as an array; flags (lazyUpdate, biasCorrection) are booleans.
    if (key !== 'weight32' && value !== undefined && typeof value !== 'boolean') checkFiniteNumber(value, op, key);
  }
}

const wdOf = (o: { wd?: number }): number => o.wd ?? 0;
const rescaleOf = (o: { rescaleGrad?: number }): number => o.rescaleGrad ?? 1;
const clipOf = (o: { clipGradient?: number }): number => o.clipGradient ?? -1;

/**
 * Checks every array (in argument order, so the first disposed one is reported), calls the native op
 * and returns the weight.
 */
function update<K extends FusedUpdateOp>(
  op: K,
  weight: NDArray,
  grad: NDArray,
  states: readonly NDArray[],
  opts: FusedUpdateOptions[K],
): NDArray {
  checkScalarOptions(opts, op);
  const spec = FUSED[op];
  native[op](
    handleOf(weight, op, 'weight'),
    handleOf(grad, op, 'grad'),
    ...states.map((a, i) => handleOf(a, op, spec.states[i]!)),
    masterOf(opts, op),
    ...spec.scalars(opts),
    rescaleOf(opts),
    clipOf(opts),
  );
  return weight;
}

/** MXNet sgd_update / mp_sgd_update: weight = (1 - lr·wd)·weight - lr·clip(rescale·grad). */
export function sgdUpdate(weight: NDArray, grad: NDArray, opts: UpdateOptions): NDArray {
  if (grad.stype !== 'default') return sparseGradSgd('sgdUpdate', weight, grad, null, opts, 0);
  return update('sgdUpdate', weight, grad, [], opts);
}

/** MXNet signsgd_update: weight = (1 - lr·wd)·weight - lr·sign(grad) (rescale and clip have no effect, as in MXNet). */
export function signsgdUpdate(weight: NDArray, grad: NDArray, opts: UpdateOptions): NDArray {
  return update('signsgdUpdate', weight, grad, [], opts);
}

export interface MomentumOptions extends UpdateOptions {
  momentum?: number;
}

/** MXNet 1.6+ sgd_mom_update / mp_sgd_mom_update: mom = momentum·mom - wd·weight - clip(rescale·grad); weight += lr·mom. */
export function sgdMomUpdate(weight: NDArray, grad: NDArray, mom: NDArray, opts: MomentumOptions): NDArray {
  if (grad.stype !== 'default') return sparseGradSgd('sgdMomUpdate', weight, grad, mom, opts, opts.momentum ?? 0);
  return update('sgdMomUpdate', weight, grad, [mom], opts);
}

/** MXNet nag_mom_update: t = clip(rescale·grad) + wd·weight; mom = momentum·mom - lr·t; weight += momentum·mom - lr·t. */
export function nagMomUpdate(weight: NDArray, grad: NDArray, mom: NDArray, opts: MomentumOptions): NDArray {
  return update('nagMomUpdate', weight, grad, [mom], opts);
}

export interface AdamOptions extends UpdateOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/** MXNet adam_update: g = clip(rescale·grad + wd·weight), moving mean/var, weight -= lr·mean/(√var + ε); `lr` already bias-corrected. */
export function adamUpdate(weight: NDArray, grad: NDArray, mean: NDArray, v: NDArray, opts: AdamOptions): NDArray {
  return update('adamUpdate', weight, grad, [mean, v], opts);
}

export interface RmspropOptions extends UpdateOptions {
  gamma1?: number;
  gamma2?: number;
  epsilon?: number;
  /** Clips the updated weight to [-c, c] when c >= 0; -1 (off) by default. */
  clipWeights?: number;
}

/** MXNet rmsprop_update (Tieleman & Hinton): n = (1-γ1)·g² + γ1·n; weight -= lr·g/√(n + ε), g = clip(rescale·grad + wd·weight). */
export function rmspropUpdate(weight: NDArray, grad: NDArray, n: NDArray, opts: RmspropOptions): NDArray {
  return update('rmspropUpdate', weight, grad, [n], opts);
}

/** MXNet rmspropalex_update (Graves, centered): n, g averages; delta = γ2·delta - lr·g/√(n - g_avg² + ε); weight += delta. */
export function rmspropalexUpdate(
  weight: NDArray,
  grad: NDArray,
  n: NDArray,
  g: NDArray,
  delta: NDArray,
  opts: RmspropOptions,
): NDArray {
  return update('rmspropalexUpdate', weight, grad, [n, g, delta], opts);
}

export interface FtrlOptions extends UpdateOptions {
  lamda1?: number;
  beta?: number;
}

/** MXNet ftrl_update: z += g - (√(n+g²) - √n)·weight/lr; n += g²; weight = (sign(z)·λ1 - z)/((β + √n)/lr + wd)·(|z| > λ1). */
export function ftrlUpdate(weight: NDArray, grad: NDArray, z: NDArray, n: NDArray, opts: FtrlOptions): NDArray {
  return update('ftrlUpdate', weight, grad, [z, n], opts);
}

export interface FtmlOptions extends UpdateOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** This weight's update count (>= 1). */
  t: number;
}

/** MXNet ftml_update (Follow the Moving Leader), with states d, v, z and the update count t. */
export function ftmlUpdate(weight: NDArray, grad: NDArray, d: NDArray, v: NDArray, z: NDArray, opts: FtmlOptions): NDArray {
  return update('ftmlUpdate', weight, grad, [d, v, z], opts);
}

export interface SignumOptions extends UpdateOptions {
  momentum?: number;
  /** Decoupled weight decay applied to the weight directly. */
  wdLh?: number;
}

/** MXNet signum_update: mom = m·mom - (1-m)·(wd·weight + clip(rescale·grad)); weight = (1 - lr·wdLh)·weight + lr·sign(mom). */
export function signumUpdate(weight: NDArray, grad: NDArray, mom: NDArray, opts: SignumOptions): NDArray {
  return update('signumUpdate', weight, grad, [mom], opts);
}

export interface AdagradOptions extends UpdateOptions {
  epsilon?: number;
}

/** MXNet's dense AdaGrad: g = clip(rescale·grad); history += g²; weight -= lr·(g/√(history + ε) + wd·weight). */
export function adagradUpdate(weight: NDArray, grad: NDArray, history: NDArray, opts: AdagradOptions): NDArray {
  return update('adagradUpdate', weight, grad, [history], opts);
}

export interface AdadeltaOptions extends Omit<UpdateOptions, 'lr'> {
  rho?: number;
  epsilon?: number;
}

/** MXNet AdaDelta (no learning rate): accumulates g² and Δ², weight -= Δ + wd·weight with Δ = √(accΔ+ε)/√(accG+ε)·g. */
export function adadeltaUpdate(
  weight: NDArray,
  grad: NDArray,
  accGrad: NDArray,
  accDelta: NDArray,
  opts: AdadeltaOptions = {},
): NDArray {
  return update('adadeltaUpdate', weight, grad, [accGrad, accDelta], opts);
}

export interface AdamaxOptions extends UpdateOptions {
  beta1?: number;
  beta2?: number;
}

/** MXNet Adamax: g = clip(rescale·grad + wd·weight); m moving mean; u = max(β2·u, |g|); weight -= lr·m/u (`lr` already /(1-β1^t)). */
export function adamaxUpdate(weight: NDArray, grad: NDArray, mean: NDArray, u: NDArray, opts: AdamaxOptions): NDArray {
  return update('adamaxUpdate', weight, grad, [mean, u], opts);
}

export interface NadamOptions extends UpdateOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** β1·(1 - 0.5·0.96^(t·scheduleDecay)) at this step. */
  momentumT: number;
  /** The same at step t + 1. */
  momentumT1: number;
  /** The running product of momentumT, including this step. */
  mSchedule: number;
  /** mSchedule · momentumT1. */
  mScheduleNext: number;
  /** β2^t. */
  beta2PowT: number;
}

/** MXNet Nadam: Adam with Nesterov momentum and the momentum schedule terms supplied by the caller. */
export function nadamUpdate(weight: NDArray, grad: NDArray, mean: NDArray, v: NDArray, opts: NadamOptions): NDArray {
  return update('nadamUpdate', weight, grad, [mean, v], opts);
}

export interface LambOptions extends UpdateOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** This weight's update count (>= 1). */
  t: number;
  biasCorrection?: boolean;
  /** Clamps of ‖weight‖ in the trust ratio; negative (default) = none. */
  lowerBound?: number;
  upperBound?: number;
}

/** MXNet lamb_update_phase1 + phase2 in one call: Adam direction g (+ wd·weight), then weight -= lr·(‖w‖/‖g‖)·g. */
export function lambUpdate(weight: NDArray, grad: NDArray, mean: NDArray, v: NDArray, opts: LambOptions): NDArray {
  return update('lambUpdate', weight, grad, [mean, v], opts);
}

/** MXNet SGLD: weight += -lr/2·(clip(rescale·grad) + wd·weight) + N(0, √lr), the noise from the global generator (seed()). */
export function sgldUpdate(weight: NDArray, grad: NDArray, opts: UpdateOptions): NDArray {
  return update('sgldUpdate', weight, grad, [], opts);
}

/** Each fused update's options. */
export interface FusedUpdateOptions {
  sgdUpdate: UpdateOptions;
  signsgdUpdate: UpdateOptions;
  sgdMomUpdate: MomentumOptions;
  nagMomUpdate: MomentumOptions;
  adamUpdate: AdamOptions;
  rmspropUpdate: RmspropOptions;
  rmspropalexUpdate: RmspropOptions;
  ftrlUpdate: FtrlOptions;
  ftmlUpdate: FtmlOptions;
  signumUpdate: SignumOptions;
  adagradUpdate: AdagradOptions;
  adadeltaUpdate: AdadeltaOptions;
  adamaxUpdate: AdamaxOptions;
  nadamUpdate: NadamOptions;
  lambUpdate: LambOptions;
  sgldUpdate: UpdateOptions;
}

/** The name of a fused update (the native op and the function above). */
export type FusedUpdateOp = keyof FusedUpdateOptions;

/**
 * Each op's state arrays (the names errors use) and its own scalars in the native argument order;
 * the shared rescaleGrad and clipGradient follow them.
 */
const FUSED: {
  readonly [K in FusedUpdateOp]: { readonly states: readonly string[]; scalars(o: FusedUpdateOptions[K]): number[] };
} = {
  sgdUpdate: { states: [], scalars: (o) => [o.lr, wdOf(o)] },
  signsgdUpdate: { states: [], scalars: (o) => [o.lr, wdOf(o)] },
  sgdMomUpdate: { states: ['mom'], scalars: (o) => [o.lr, o.momentum ?? 0, wdOf(o)] },
  nagMomUpdate: { states: ['mom'], scalars: (o) => [o.lr, o.momentum ?? 0, wdOf(o)] },
  adamUpdate: { states: ['mean', 'var'], scalars: (o) => [o.lr, o.beta1 ?? 0.9, o.beta2 ?? 0.999, o.epsilon ?? 1e-8, wdOf(o)] },
  rmspropUpdate: { states: ['n'], scalars: (o) => [o.lr, o.gamma1 ?? 0.95, o.epsilon ?? 1e-8, wdOf(o), o.clipWeights ?? -1] },
  rmspropalexUpdate: {
    states: ['n', 'g', 'delta'],
    scalars: (o) => [o.lr, o.gamma1 ?? 0.95, o.gamma2 ?? 0.9, o.epsilon ?? 1e-8, wdOf(o), o.clipWeights ?? -1],
  },
  ftrlUpdate: { states: ['z', 'n'], scalars: (o) => [o.lr, o.lamda1 ?? 0.01, o.beta ?? 1, wdOf(o)] },
  ftmlUpdate: {
    states: ['d', 'v', 'z'],
    scalars: (o) => [o.lr, o.beta1 ?? 0.6, o.beta2 ?? 0.999, o.epsilon ?? 1e-8, o.t, wdOf(o)],
  },
  signumUpdate: { states: ['mom'], scalars: (o) => [o.lr, o.momentum ?? 0, wdOf(o), o.wdLh ?? 0] },
  adagradUpdate: { states: ['history'], scalars: (o) => [o.lr, o.epsilon ?? 1e-7, wdOf(o)] },
  adadeltaUpdate: { states: ['accGrad', 'accDelta'], scalars: (o) => [o.rho ?? 0.9, o.epsilon ?? 1e-5, wdOf(o)] },
  adamaxUpdate: { states: ['mean', 'u'], scalars: (o) => [o.lr, o.beta1 ?? 0.9, o.beta2 ?? 0.999, wdOf(o)] },
  nadamUpdate: {
    states: ['mean', 'var'],
    scalars: (o) => [
      o.lr,
      o.beta1 ?? 0.9,
      o.beta2 ?? 0.999,
      o.epsilon ?? 1e-8,
      wdOf(o),
      o.momentumT,
      o.momentumT1,
      o.mSchedule,
      o.mScheduleNext,
      o.beta2PowT,
    ],
  },
  lambUpdate: {
    states: ['mean', 'var'],
    scalars: (o) => [
      o.lr,
      o.beta1 ?? 0.9,
      o.beta2 ?? 0.999,
      o.epsilon ?? 1e-6,
      o.t,
      (o.biasCorrection ?? true) ? 1 : 0,
      wdOf(o),
      o.lowerBound ?? -1,
      o.upperBound ?? -1,
    ],
  },
  sgldUpdate: { states: [], scalars: (o) => [o.lr, wdOf(o)] },
};

/** `op`'s update of one parameter, its states in the op's order (as the function named `op` takes them). */
export function fusedUpdate<K extends FusedUpdateOp>(
  op: K,
  weight: NDArray,
  grad: NDArray,
  states: readonly NDArray[],
  opts: FusedUpdateOptions[K],
): NDArray {
  const spec = FUSED[op] as (typeof FUSED)[K] | undefined;
  if (spec === undefined)
    throw new ValueError(`fusedUpdate: unknown update '${String(op)}'; known: ${Object.keys(FUSED).join(', ')}`);
  if (states.length !== spec.states.length) {
    throw new ValueError(
      `${op}: takes ${spec.states.length} state arrays (${spec.states.join(', ') || 'none'}), got ${states.length}`,
    );
  }
  if ((op === 'sgdUpdate' || op === 'sgdMomUpdate') && grad.stype !== 'default') {
    const o = opts as MomentumOptions;
    return sparseGradSgd(op, weight, grad, states[0] ?? null, o, o.momentum ?? 0);
  }
  return update(op, weight, grad, states, opts);
}

/** One parameter's operands for multiUpdate. */
export interface MultiUpdateItem<K extends FusedUpdateOp> {
  weight: NDArray;
  /** A dense gradient (row_sparse ones go through sgdUpdate / sgdMomUpdate). */
  grad: NDArray;
  /** The op's state arrays, in its order. */
  states: readonly NDArray[];
  opts: FusedUpdateOptions[K];
}

/**
 * `op`'s update of every item in one native call (MXNet's multi_sgd_update, multi_mp_sgd_mom_update
 * ...; PyTorch's foreach optimizers): the updates run together on the thread pool, parallel across
 * parameters and within large ones, each with its own options (learning rate, weight decay, update
 * count ...). The results are bit for bit those of calling `op` on each item in turn. Every item is
 * checked before any weight changes; no two items may share an array they write (a ValueError).
 */
export function multiUpdate<K extends FusedUpdateOp>(op: K, items: readonly MultiUpdateItem<K>[]): void {
  const spec = FUSED[op] as (typeof FUSED)[K] | undefined;
  if (spec === undefined)
    throw new ValueError(`multiUpdate: unknown update '${String(op)}'; known: ${Object.keys(FUSED).join(', ')}`);
  if (!Array.isArray(items)) throw new ValueError(`multiUpdate(${op}): items must be an array`);
  if (items.length === 0) return;
  const tensors: NativeHandle[] = [];
  let scalars: Float64Array | null = null;
  items.forEach(({ weight, grad, states, opts }, k) => {
    const where = `multiUpdate(${op}): item ${k}`;
    if (grad.stype !== 'default')
      throw new ValueError(`${where}: the gradient is ${grad.stype}; multiUpdate takes dense gradients (use ${op} for it)`);
    if (states.length !== spec.states.length) {
      throw new ValueError(
        `${where}: ${op} takes ${spec.states.length} state arrays (${spec.states.join(', ') || 'none'}), got ${states.length}`,
      );
    }
    checkScalarOptions(opts, where);
    const own = spec.scalars(opts);
    const per = 3 + own.length;
    scalars ??= new Float64Array(items.length * per);
    scalars.set([opts.weight32 === undefined ? 0 : 1, ...own, rescaleOf(opts), clipOf(opts)], k * per);
    tensors.push(handleOf(weight, where, 'weight'), handleOf(grad, where, 'grad'));
    states.forEach((a: NDArray, i: number) => tensors.push(handleOf(a, where, spec.states[i]!)));
    if (opts.weight32 !== undefined) tensors.push(handleOf(opts.weight32, where, 'weight32'));
  });
  native.multiUpdate(op, tensors, scalars!);
}

/** sgd_update / sgd_mom_update with a row_sparse gradient (dense weight and momentum). */
function sparseGradSgd(
  op: 'sgdUpdate' | 'sgdMomUpdate',
  weight: NDArray,
  grad: NDArray,
  mom: NDArray | null,
  opts: MomentumOptions,
  momentum: number,
): NDArray {
  checkScalarOptions(opts, op);
  if (!(grad instanceof RowSparseNDArray))
    throw new ValueError(`${op}: a ${grad.stype} gradient is not supported (default or row_sparse)`);
  if (weight.stype !== 'default' || (mom !== null && mom.stype !== 'default')) {
    throw new ValueError(
      `${op}: with a row_sparse gradient the weight and momentum must be dense, got ${weight.stype} and ${mom?.stype ?? 'none'}`,
    );
  }
  if (opts.weight32 !== undefined)
    throw new ValueError(`${op}: multi-precision (weight32) with a row_sparse gradient is not supported`);
  if (opts.lazyUpdate === false) {
    const dense = grad.tostype('default');
    try {
      return mom === null ? sgdUpdate(weight, dense, opts) : sgdMomUpdate(weight, dense, mom, opts);
    } finally {
      dense.dispose();
    }
  }
  native.lazySgdUpdate(
    handleOf(weight, op, 'weight'),
    handleOf(grad.data, op, 'grad.data'),
    handleOf(grad.indices, op, 'grad.indices'),
    mom === null ? null : handleOf(mom, op, 'mom'),
    opts.lr,
    momentum,
    wdOf(opts),
    rescaleOf(opts),
    clipOf(opts),
  );
  return weight;
}
