// One worker of the dist_sync LM test: trains its half of every batch and reports its parameters,
// how many log lines it wrote, whether its epoch-end callback (where checkpoints go) ran, and for each
// step (rank 0: fit's batch-end callbacks run there only) how many gradient buckets went out and how many of them the comm thread started before the
// backward pass ended.
import type { DistSyncStore, OverlapTimeline } from '@bkt/kvstore';

import { report } from '../../../kvstore/test/distributed/report.js';
import { train, workerData } from './lm-setup.js';

const rank = Number(process.env['OMPI_COMM_WORLD_RANK']);
let logs = 0;
let epochEnds = 0;
const seen = new Set<OverlapTimeline>();
const overlap: { buckets: number; early: number }[] = [];
const batchEnd = (kv: unknown): void => {
  const t = (kv as DistSyncStore).lastOverlap;
  if (t === null || seen.has(t)) return;
  seen.add(t);
  overlap.push({ buckets: t.bucketStartedMs.length, early: t.bucketStartedMs.filter((s) => s < t.backwardEndedMs).length });
};
const params = train(workerData(rank), 'dist_sync', { logger: () => (logs += 1), epochEnd: () => (epochEnds += 1), batchEnd });
report({ rank, params, logs, epochEnds, overlap });
