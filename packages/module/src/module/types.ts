// The forms in which initOptimizer takes a kvstore and an optimizer.

import type { KVStore } from '@bkt/kvstore';
import type { Optimizer } from '@bkt/optimizer';

/** A kvstore type name ('local', 'device'), a KVStore object, or null for none. */
export type KVStoreSpec = string | KVStore | null;
/** A registered optimizer name or an Optimizer object. */
export type OptimizerSpec = string | Optimizer;
