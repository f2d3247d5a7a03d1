export { saveCheckpoint, loadCheckpoint, loadParams, symbolFile, paramsFile, statesFile, type ParamDict } from './checkpoint.js';
