export { saveCheckpoint, loadCheckpoint, loadParams, symbolFile, paramsFile, type ParamDict } from './checkpoint.js';
