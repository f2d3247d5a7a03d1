export {
  saveCheckpoint,
  loadCheckpoint,
  loadParams,
  symbolFile,
  paramsFile,
  statesFile,
  type CheckpointSaveOptions,
  type ParamDict,
} from './checkpoint.js';
export { listCheckpoints, manifestFile, verifyCheckpoint, type CheckpointEntry } from './manifest.js';
