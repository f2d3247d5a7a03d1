// @bkt/module — MXNet's Module API: BaseModule, Module and the data-parallel executor group, built on
// the data iterators, metrics, initializers, callbacks and the monitor; BucketingModule and
// SequentialModule over them.

export * as io from './data/index.js';
export * from './data/index.js';

export * as metric from './metrics/index.js';
export {
  EvalMetric,
  Accuracy,
  TopKAccuracy,
  F1,
  MCC,
  Perplexity,
  MAE,
  MSE,
  RMSE,
  CrossEntropy,
  NegativeLogLikelihood,
  PearsonCorrelation,
  Loss,
  CustomMetric,
  CompositeEvalMetric,
} from './metrics/index.js';
export type {
  ArrayList,
  MetricOptions,
  MetricResult,
  NameValue,
  NamedArrays,
  MetricSpec,
  FEval,
  HostArray,
} from './metrics/index.js';

export * as init from './initializers/index.js';
export {
  InitDesc,
  Initializer,
  createInitializer,
  Uniform,
  Normal,
  Zero,
  One,
  Constant,
  Xavier,
  MSRAPrelu,
  Orthogonal,
  Mixed,
  Load,
  LSTMBias,
  FusedRNN,
} from './initializers/index.js';
export type { InitializerSpec, XavierOptions, FusedRNNOptions } from './initializers/index.js';

export * as callback from './callbacks/index.js';
export {
  Speedometer,
  ProgressBar,
  logTrainMetric,
  LogValidationMetricsCallback,
  doCheckpoint,
  moduleCheckpoint,
  callBatchEnd,
  callEpochEnd,
} from './callbacks/index.js';
export type {
  BatchEndParam,
  BatchEndCallback,
  BatchEndFn,
  EpochEndCallback,
  EpochEndFn,
  CheckpointSaver,
  SavableSymbol,
  Logger,
} from './callbacks/index.js';

export * as mon from './monitor/index.js';
export { Monitor, rmsStat } from './monitor/index.js';
export type { MonitorOptions, MonitorResult, StatFunc } from './monitor/index.js';

export * as model from './model/index.js';
export { saveCheckpoint, loadCheckpoint, loadParams, listCheckpoints, manifestFile, verifyCheckpoint } from './model/index.js';
export type { CheckpointEntry, CheckpointSaveOptions } from './model/index.js';

export { BaseModule } from './module/base-module.js';
export type {
  BindOptions,
  FitAsyncOptions,
  FitEnd,
  FitOptions,
  InitOptimizerOptions,
  InitParamsOptions,
  PredictOptions,
  ScoreOptions,
  SetParamsOptions,
  ParamDict,
  SparseRowIdFn,
} from './module/base-module.js';
export { Module } from './module/module.js';
export { BucketingModule } from './module/bucketing-module.js';
export { bucketsFile, bucketsJsonFile, bucketSymbolFile } from './module/bucketing-checkpoint.js';
export type { ParamStore } from './module/param-store.js';
export type { BucketingModuleOptions, BucketingLoadOptions, SymGen } from './module/bucketing-module.js';
export type { ModuleOptions } from './module/module.js';
export { SequentialModule } from './module/sequential-module.js';
export type { SequentialMeta } from './module/sequential-module.js';
export { DataParallelExecutorGroup, splitInputSlice } from './module/executor-group.js';
export type { KVStoreSpec, MonitorLike, OptimizerSpec } from './module/types.js';
export { prepareGroup2ctxs } from './module/group2ctxs.js';

// MXNet has the profiler at top level (mx.profiler); it lives where the plans run, in @bkt/ndarray.
export { profiler } from '@bkt/ndarray';
export type { Group2Ctxs } from './module/group2ctxs.js';
