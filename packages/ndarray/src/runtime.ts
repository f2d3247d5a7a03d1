import { ValueError } from './errors.js';
import { native } from './native.js';

export interface MemoryStats {
  /** JS-visible array handles not yet disposed or collected. */
  liveHandles: number;
  /** Native buffers alive (views share one). */
  liveStorages: number;
  /** Bytes held by live buffers. */
  liveBytes: number;
  /** Buffers ever allocated: a flat count across a loop means the loop allocates nothing. */
  totalAllocations: number;
  /** Handles ever created (views included): a flat count across a loop means the loop makes no arrays. */
  totalHandles: number;
}

/**
 * The arithmetic of float32 products run by oneDNN: `float32`, or `bfloat16` operands with float32
 * accumulation and float32 results (inputs, weights and outputs stay float32 arrays). In bfloat16 the
 * `auto` backend runs every product on oneDNN; a forced OpenBLAS stays float32.
 */
export type GemmPrecision = 'float32' | 'bfloat16';
const GEMM_PRECISIONS: readonly GemmPrecision[] = ['float32', 'bfloat16'];

/**
 * Which library runs float32 matrix products: `auto` picks per product shape from the table the GEMM
 * benchmark produced, the others force one library (float64 always runs on OpenBLAS).
 */
export type GemmBackend = 'auto' | 'openblas' | 'onednn';
const GEMM_BACKENDS: readonly GemmBackend[] = ['auto', 'openblas', 'onednn'];

/** One float32 product shape met so far and the library it runs on. */
export interface GemmChoice {
  /**
   * The product's sizes; m or k is 0 for a product whose size there is given at each call (FullyConnected's
   * backward over the rows of out_grad that are not all zero: one choice and primitive for every count).
   */
  m: number;
  n: number;
  k: number;
  transposeA: boolean;
  transposeB: boolean;
  /** Leading dimensions of A, B and C (row-major), and C = alpha op(A) op(B) + beta C. */
  lda: number;
  ldb: number;
  ldc: number;
  alpha: number;
  beta: number;
  backend: 'openblas' | 'onednn';
  /** bfloat16 for a oneDNN product run in bfloat16 precision; each precision has its own entry. */
  precision: GemmPrecision;
  /** A bias row added to every row of the product (FullyConnected's): inside oneDNN's kernel, or seeded for OpenBLAS. */
  bias: boolean;
  /** B is a weight (FullyConnected's, the RNN's): on oneDNN it is read from a copy kept in the product's layout. */
  weight: boolean;
  /**
   * oneDNN reads A and B and writes C as the caller's bfloat16 arrays (dot and batchDot of bfloat16
   * NDArrays), with no float32 copy of any; false where a forced OpenBLAS multiplies float32 copies.
   */
  bfloat16Arrays: boolean;
  /**
   * Products of this shape run since the choice was made (setGemmBackend forgets them); 0 for a shape
   * an executor's bind prepared that has not run yet.
   */
  calls: number;
  /** Their wall time in the library call, bfloat16 conversions included. */
  seconds: number;
  /** Their work, 2·m·n·k summed over the calls with each call's own sizes (exact for a runtime-sized shape). */
  flops: number;
}

export function memoryStats(): MemoryStats {
  return native.memoryStats();
}

/** Sets the size of the addon's thread pool and of OpenBLAS's, together. */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ValueError(`setNumThreads: n must be a positive integer, got ${n}`);
  native.setNumThreads(n);
}

export function getNumThreads(): number {
  return native.getNumThreads();
}

/**
 * Sets the GEMM backend policy (initially BKT_GEMM_BACKEND, else `auto`). It forgets every choice made:
 * executors bound later choose at their bind, those bound before choose again in their next run; call it
 * before binding, not inside a step.
 */
export function setGemmBackend(backend: GemmBackend): void {
  if (!GEMM_BACKENDS.includes(backend)) {
    throw new ValueError(`setGemmBackend: backend must be one of ${GEMM_BACKENDS.join(', ')}, got ${String(backend)}`);
  }
  native.setGemmBackend(backend);
}

export function getGemmBackend(): GemmBackend {
  return native.gemmBackend();
}

/** The float32 product shapes run so far, the library each one chose, and their calls and seconds. */
export function gemmChoices(): GemmChoice[] {
  return native.gemmChoices();
}

/**
 * Sets the precision of oneDNN's products (initially BKT_GEMM_PRECISION, else `float32`). Switching is
 * cheap — each precision keeps its own choices and primitives — so an executor bound with `amp` puts
 * bfloat16 in force around its own runs only.
 */
export function setGemmPrecision(precision: GemmPrecision): void {
  if (!GEMM_PRECISIONS.includes(precision)) {
    throw new ValueError(`setGemmPrecision: precision must be one of ${GEMM_PRECISIONS.join(', ')}, got ${String(precision)}`);
  }
  native.setGemmPrecision(precision);
}

export function getGemmPrecision(): GemmPrecision {
  return native.gemmPrecision();
}

/**
 * How many times a GEMM weight has been reordered into the layout a oneDNN product reads it in (a copy
 * kept per weight and layout, made again only after the weight is written): a count that grows once
 * per update and layout, not once per product.
 */
export function weightLayoutReorders(): number {
  return native.weightLayoutReorders();
}
