// `bkt-train lm --kv-store dist_sync` as one worker of a job started by bkt-launch (mpirun): the store
// is made before the data, since the worker's rank picks its part of every epoch's batches; only
// rank 0 prints, checkpoints and writes the log and report (under dist_sync the workers hold the same
// parameters; under dist_async its checkpoints hold the servers' current ones). Under dist_async the
// server ranks (bkt-launch -s) serve inside create and end there, before reading any data.
import { create, type KVStore } from '@bkt/kvstore';

export interface JobPlace {
  /** The distributed store, or null for a one-process run. */
  readonly kv: KVStore | null;
  readonly rank: number;
  readonly numWorkers: number;
}

/** Joins the job when `kvStore` names a distributed store; otherwise a one-process place. */
export function joinJob(kvStore: string): JobPlace {
  if (!kvStore.startsWith('dist')) return { kv: null, rank: 0, numWorkers: 1 };
  const kv = create(kvStore);
  return { kv, rank: kv.rank, numWorkers: kv.numWorkers };
}
