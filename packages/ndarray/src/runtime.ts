import { ValueError } from './errors.js';
import { binding } from './native.js';

export interface MemoryStats {
  /** JS-visible array handles not yet disposed or collected. */
  liveHandles: number;
  /** Native buffers alive (views share one). */
  liveStorages: number;
  /** Bytes held by live buffers. */
  liveBytes: number;
  /** Buffers ever allocated: a flat count across a loop means the loop allocates nothing. */
  totalAllocations: number;
}

interface RuntimeBinding {
  memoryStats(): MemoryStats;
  setNumThreads(n: number): void;
  getNumThreads(): number;
}

const native = binding<RuntimeBinding>();

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
