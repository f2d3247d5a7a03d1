// MXNet's mx.kv.create. As in MXNet the name is lower-cased and matched loosely, so the legacy
// spellings work ('local_allreduce_cpu' is a local store, 'local_allreduce_device' a device store)
// and `type` returns the name as given. The distributed stores load the MPI addon only when created.
import { ValueError } from '@bkt/ndarray';

import { DeviceStore } from './device-store.js';
import { DistAsyncStore } from './distributed/dist-async-store.js';
import { DistSyncStore } from './distributed/dist-sync-store.js';
import type { KVStore } from './kvstore.js';
import { LocalStore } from './local-store.js';

/** The store types create() knows. */
export const knownKVStoreTypes = (): string[] => ['device', 'dist', 'dist_async', 'dist_device_sync', 'dist_sync', 'local'];

/**
 * A store by type name: 'local' (the default), 'device', or a distributed one ('dist_sync',
 * 'dist_device_sync', 'dist', 'dist_async'), which needs Open MPI and a launcher (bkt-launch; -s for
 * dist_async's servers); anything else is a ValueError listing the types.
 */
export function create(name = 'local'): KVStore {
  if (typeof name !== 'string') throw new ValueError(`create: the store type must be a string, got ${String(name)}`);
  const type = name.toLowerCase();
  if (type === 'dist_async') return new DistAsyncStore(type);
  if (/nccl|horovod|byteps|_async/.test(type)) {
    throw new ValueError(
      `create: kvstore type '${name}' is not available in this build; known types: ${knownKVStoreTypes().join(', ')}`,
    );
  }
  if (type.startsWith('dist')) return new DistSyncStore(type);
  if (type.includes('device')) return new DeviceStore(type);
  if (type.startsWith('local')) return new LocalStore(type);
  throw new ValueError(`create: unknown kvstore type '${name}'; known types: ${knownKVStoreTypes().join(', ')}`);
}
