// MXNet's mx.kv.create for the in-process stores. As in MXNet the name is lower-cased and matched
// loosely, so the legacy spellings work ('local_allreduce_cpu' is a local store,
// 'local_allreduce_device' a device store) and `type` returns the name as given.
import { ValueError } from '@bkt/ndarray';

import { DeviceStore } from './device-store.js';
import type { KVStore } from './kvstore.js';
import { LocalStore } from './local-store.js';

/** The store types create() knows. */
export const knownKVStoreTypes = (): string[] => ['device', 'local'];

/** A store by type name: 'local' (the default) or 'device'; anything else is a ValueError listing the types. */
export function create(name = 'local'): KVStore {
  if (typeof name !== 'string') throw new ValueError(`create: the store type must be a string, got ${String(name)}`);
  const type = name.toLowerCase();
  if (/dist|nccl|horovod|byteps/.test(type)) {
    throw new ValueError(`create: kvstore type '${name}' is not available in this build; known types: ${knownKVStoreTypes().join(', ')}`);
  }
  if (type.includes('device')) return new DeviceStore(type);
  if (type.startsWith('local')) return new LocalStore(type);
  throw new ValueError(`create: unknown kvstore type '${name}'; known types: ${knownKVStoreTypes().join(', ')}`);
}
