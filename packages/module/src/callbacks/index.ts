export {
  callBatchEnd,
  callEpochEnd,
  type BatchEndCallback,
  type BatchEndFn,
  type BatchEndParam,
  type EpochEndCallback,
  type EpochEndFn,
  type SavableSymbol,
} from './batch-end-param.js';
export { defaultLogger, pyFixed, type Logger } from './format.js';
export { Speedometer, type SpeedometerOptions } from './speedometer.js';
export { ProgressBar } from './progress-bar.js';
export { logTrainMetric } from './log-train-metric.js';
export { LogValidationMetricsCallback } from './log-validation-metrics.js';
export { doCheckpoint, moduleCheckpoint, type CheckpointSaver } from './checkpoint.js';
