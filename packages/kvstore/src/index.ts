// @bkt/kvstore — MXNet's key-value stores for parameter synchronisation: the 'local' and 'device'
// stores, the distributed ones on Open MPI (dist_sync, dist_device_sync, dist_async), updates on the
// store through @bkt/optimizer, and 2-bit gradient compression.
export type { KVKey, KVKeys, KVValue, KVValues } from './arguments.js';
export {
  type EarlyPushPull,
  type KeyGroup,
  type KeyInfo,
  type KVStore,
  KVStoreBase,
  type RowSparsePullOptions,
  type UpdaterFn,
} from './kvstore.js';
export { LocalStore } from './local-store.js';
export { DeviceStore } from './device-store.js';
export { GradientCompression, type GradientCompressionParams } from './gradient-compression.js';
export { create, knownKVStoreTypes } from './create.js';
export { DistSyncStore, type OverlapTimeline } from './distributed/dist-sync-store.js';
export { DistAsyncStore } from './distributed/dist-async-store.js';
