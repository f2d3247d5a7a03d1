// The forms in which initOptimizer takes a kvstore and an optimizer.

import type { Executor } from '@bkt/executor';
import type { KVStore } from '@bkt/kvstore';
import type { Optimizer } from '@bkt/optimizer';

/** A kvstore type name ('local', 'device'), a KVStore object, or null for none. */
export type KVStoreSpec = string | KVStore | null;
/** A registered optimizer name or an Optimizer object. */
export type OptimizerSpec = string | Optimizer;

/** What fit() and installMonitor need of a monitor: bkt's Monitor, or any object with these three methods. */
export interface MonitorLike {
  install(exe: Executor): void;
  tic(): void;
  tocPrint(): void;
}
