// dist_sync training of an LSTM LM with BucketingModule on 2 MPI workers equals one process on the
// combined batches, and the workers end with identical parameters (steps where the workers' batches
// fall in different buckets included). The gradients travel in several buckets, sent while the
// backward pass still runs.
import { describe, expect, it } from 'vitest';

import { mpiMissing, runMpi } from '../../../kvstore/test/distributed/run-mpi.js';
import { globalData, STEPS, train } from './lm-setup.js';

describe.skipIf(mpiMissing !== null)('dist_sync BucketingModule', () => {
  it(`2 workers × batch 4 train like 1 process × batch 8 (${STEPS} SGD steps), with identical parameters`, async () => {
    // 4 KiB buckets: the output layer's gradients, the LSTM's and the embedding's travel apart
    const run = await runMpi(2, new URL('./lm-worker.ts', import.meta.url).pathname, [], {
      timeoutMs: 240_000,
      env: { BKT_KVSTORE_BUCKET_BYTES: '4096' },
    });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.results).toHaveLength(2);
    type Overlap = { buckets: number; early: number }[];
    const [w0, w1] = run.results as { params: Record<string, number[]>; logs: number; epochEnds: number; overlap: Overlap }[];
    // (rank 0 reports it: the batch-end callbacks run there only) every step's pushPull was begun
    // during backward and went in several buckets, and the comm thread started some of them while
    // backward still ran (not in every step: a loaded machine may wake it late)
    expect(w0!.overlap).toHaveLength(STEPS);
    for (const step of w0!.overlap) expect(step.buckets).toBeGreaterThanOrEqual(3);
    expect(w0!.overlap.filter((s) => s.early > 0).length).toBeGreaterThanOrEqual(1);
    expect(w1!.params).toEqual(w0!.params);
    // only rank 0 logs and runs the epoch-end callbacks (checkpoints)
    expect(w0!.logs).toBeGreaterThan(0);
    expect(w0!.epochEnds).toBe(1);
    expect([w1!.logs, w1!.epochEnds]).toEqual([0, 0]);

    const reference = train(globalData(), 'local');
    // learning rate 0: the initial values, to show the runs moved every parameter well past the tolerance
    const initial = train(globalData(), 'local', { learningRate: 0 });
    expect(Object.keys(w0!.params).sort()).toEqual(Object.keys(reference).sort());
    const maxDiff = (a: number[], b: number[]): number => Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));
    for (const [name, want] of Object.entries(reference)) {
      const scale = Math.max(...want.map(Math.abs));
      expect(maxDiff(w0!.params[name]!, want) / scale, name).toBeLessThan(1e-5);
      expect(maxDiff(initial[name]!, want) / scale, name).toBeGreaterThan(1e-3);
    }
  }, 300_000);
});
