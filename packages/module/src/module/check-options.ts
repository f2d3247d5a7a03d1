// The option objects of the modules' constructors and public methods, checked at the top of each call: an unknown key
// (a misspelt `numepoch`, `learningRate` given to fit instead of inside optimizerParams) is a
// ValueError, and so is a flag that is not a boolean or a count that is not a non-negative integer —
// `fit({ numEpoch: NaN })` must not silently train nothing. Values that are objects (iterators,
// initializers, optimizers, kvstores, parameter dicts) are checked where they are used.

import { checkBoolean, checkInteger, checkOptions, ValueError } from '@bkt/ndarray';
import type {
  BindOptions,
  FitAsyncOptions,
  FitOptions,
  InitOptimizerOptions,
  InitParamsOptions,
  PredictOptions,
  ScoreOptions,
  SetParamsOptions,
} from './base-module.js';
import type { BucketingLoadOptions, BucketingModuleOptions } from './bucketing-module.js';
import type { ModuleOptions } from './module.js';

/** How a key's value is checked here; 'object' values are checked by the code that uses them. */
type Kind = 'flag' | 'count' | 'countOrNull' | 'object';

function check<T>(fn: string, opts: T, spec: Readonly<Record<keyof T & string, Kind>>): void {
  checkOptions(opts as Record<string, unknown> | undefined, Object.keys(spec), fn);
  if (opts === undefined) return;
  for (const [key, value] of Object.entries(opts as Record<string, unknown>)) {
    if (value === undefined) continue;
    const kind = spec[key as keyof T & string];
    if (kind === 'flag') checkBoolean(value, fn, key);
    if (kind === 'count' || (kind === 'countOrNull' && value !== null)) checkInteger(value, fn, key, { min: 0 });
  }
}

const MODULE: Record<keyof ModuleOptions, Kind> = {
  dataNames: 'object',
  labelNames: 'object',
  context: 'object',
  workLoadList: 'object',
  fixedParamNames: 'object',
  stateNames: 'object',
  compressionParams: 'object',
  group2ctxs: 'object',
  amp: 'object',
  logger: 'object',
};
const { dataNames: _d, labelNames: _l, ...BUCKET_MODULE } = MODULE;
const BUCKETING: Record<keyof BucketingModuleOptions, Kind> = {
  ...BUCKET_MODULE,
  defaultBucketKey: 'object',
  maxBuckets: 'object',
};
const BUCKETING_LOAD: Record<keyof BucketingLoadOptions, Kind> = { ...BUCKETING, symGen: 'object', loadOptimizerStates: 'flag' };
const MODULE_LOAD: Record<keyof ModuleOptions | 'loadOptimizerStates', Kind> = { ...MODULE, loadOptimizerStates: 'flag' };
const BIND: Record<keyof BindOptions, Kind> = {
  forTraining: 'flag',
  inputsNeedGrad: 'flag',
  forceRebind: 'flag',
  sharedModule: 'object',
  gradReq: 'object',
};
const INIT_PARAMS: Record<keyof InitParamsOptions, Kind> = {
  initializer: 'object',
  argParams: 'object',
  auxParams: 'object',
  allowMissing: 'flag',
  forceInit: 'flag',
  allowExtra: 'flag',
};
const SET_PARAMS: Record<keyof SetParamsOptions, Kind> = { allowMissing: 'flag', forceInit: 'flag', allowExtra: 'flag' };
const INIT_OPTIMIZER: Record<keyof InitOptimizerOptions, Kind> = {
  kvstore: 'object',
  optimizer: 'object',
  optimizerParams: 'object',
  forceInit: 'flag',
};
const SCORE: Record<keyof ScoreOptions, Kind> = {
  numBatch: 'countOrNull',
  batchEndCallback: 'object',
  scoreEndCallback: 'object',
  reset: 'flag',
  epoch: 'count',
  sparseRowIdFn: 'object',
};
const PREDICT: Record<keyof PredictOptions, Kind> = {
  numBatch: 'countOrNull',
  mergeBatches: 'flag',
  reset: 'flag',
  alwaysOutputList: 'flag',
  sparseRowIdFn: 'object',
};
type IterPredictOptions = Pick<PredictOptions, 'numBatch' | 'reset' | 'sparseRowIdFn'>;
const ITER_PREDICT: Record<keyof IterPredictOptions, Kind> = { numBatch: 'countOrNull', reset: 'flag', sparseRowIdFn: 'object' };
const FIT: Record<keyof FitOptions, Kind> = {
  evalData: 'object',
  evalMetric: 'object',
  epochEndCallback: 'object',
  batchEndCallback: 'object',
  kvstore: 'object',
  optimizer: 'object',
  optimizerParams: 'object',
  evalEndCallback: 'object',
  evalBatchEndCallback: 'object',
  initializer: 'object',
  argParams: 'object',
  auxParams: 'object',
  allowMissing: 'flag',
  forceRebind: 'flag',
  forceInit: 'flag',
  beginEpoch: 'count',
  numEpoch: 'count',
  validationMetric: 'object',
  monitor: 'object',
  sparseRowIdFn: 'object',
};
const FIT_ASYNC: Record<keyof FitAsyncOptions, Kind> = { ...FIT, signal: 'object' };

export const checkModuleOptions = (fn: string, opts: ModuleOptions | undefined): void => check(fn, opts, MODULE);
export const checkModuleLoadOptions = (fn: string, opts: (ModuleOptions & { loadOptimizerStates?: boolean }) | undefined): void =>
  check(fn, opts, MODULE_LOAD);
export const checkBucketingOptions = (fn: string, opts: BucketingModuleOptions | undefined): void => check(fn, opts, BUCKETING);
export const checkBucketingLoadOptions = (fn: string, opts: BucketingLoadOptions | undefined): void =>
  check(fn, opts, BUCKETING_LOAD);
export const checkBindOptions = (fn: string, opts: BindOptions | undefined): void => check(fn, opts, BIND);
export const checkInitParamsOptions = (fn: string, opts: InitParamsOptions | undefined): void => check(fn, opts, INIT_PARAMS);
export const checkSetParamsOptions = (fn: string, opts: SetParamsOptions | undefined): void => check(fn, opts, SET_PARAMS);
export const checkInitOptimizerOptions = (fn: string, opts: InitOptimizerOptions | undefined): void => {
  check(fn, opts, INIT_OPTIMIZER);
  const params = opts?.optimizerParams;
  if (params !== undefined && (params === null || typeof params !== 'object' || Array.isArray(params)))
    throw new ValueError(`${fn}: optimizerParams must be an object of optimizer options, got ${String(params)}`);
};
export const checkScoreOptions = (fn: string, opts: ScoreOptions | undefined): void => check(fn, opts, SCORE);
export const checkPredictOptions = (fn: string, opts: PredictOptions | undefined): void => check(fn, opts, PREDICT);
export const checkIterPredictOptions = (fn: string, opts: IterPredictOptions | undefined): void => check(fn, opts, ITER_PREDICT);
export const checkFitOptions = (fn: string, opts: FitOptions | undefined): void => check(fn, opts, FIT);
export const checkFitAsyncOptions = (fn: string, opts: FitAsyncOptions | undefined): void => check(fn, opts, FIT_ASYNC);
