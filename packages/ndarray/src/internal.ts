// The native seam that the other @bkt packages build on (`@bkt/ndarray/internal`), kept off the public
// main entry: executor plans and their kernel ids (@bkt/executor), and byte views and shared bytes
// over arrays (@bkt/kvstore's fusion buffers and MPI addon). No stability promise beyond the monorepo.
export {
  type ArenaSlot,
  Plan,
  sharedBytes,
  viewBytes,
  isKernelName,
  Kernel,
  type KernelName,
  type PlanInstruction,
  type PlanOptions,
} from './plan.js';
