// @bkt/optimizer — MXNet's optimizers as fused native update kernels, learning-rate schedulers, and the
// updater whose states save to a documented binary format.
export {
  create,
  type FusedStep,
  knownOptimizers,
  Optimizer,
  type OptimizerClass,
  type OptimizerOptions,
  type OptimizerState,
  type KeyedValues,
  type ParamKey,
  register,
  type SymbolInfo,
} from './optimizer.js';
export * from './optimizers/index.js';
export * from './lr-scheduler/index.js';
export { getUpdater, Updater } from './updater.js';
