// dist_async training of the LM with BucketingModule.fit on 2 workers and 1 server (mpirun -np 3,
// loopback): the loss falls, the optimizer's rescaleGrad is 1 / the worker's own batch (MXNet's rule
// for asynchronous stores), only rank 0 logs, and a checkpoint saved after both workers finished holds
// the servers' values — which moved after rank 0's fit returned, since worker 1 was slowed down.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { mpiMissing, runMpi } from '../../../kvstore/test/distributed/run-mpi.js';

describe.skipIf(mpiMissing !== null)('dist_async LM on 2 workers and 1 server', () => {
  it('fit converges, and the checkpoint holds what the servers hold', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bkt-async-lm-'));
    try {
      const run = await runMpi(2, new URL('./async-lm-worker.ts', import.meta.url).pathname, [], {
        numServers: 1,
        timeoutMs: 240_000,
        env: { BKT_TEST_CHECKPOINT: join(dir, 'lm') },
      });
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
      expect(run.results).toHaveLength(2); // the server reports nothing
      const [r0, r1] = run.results as Record<string, unknown>[];
      const ppl = r0!['perplexities'] as number[];
      expect(ppl).toHaveLength(4);
      expect(ppl.at(-1)!, `perplexities ${ppl.join(', ')}`).toBeLessThan(ppl[0]! * 0.7);
      expect(r0!['rescaleGrad']).toBe(1 / 4);
      expect(r0!['logs'] as number).toBeGreaterThan(0);
      expect(r1!['logs']).toBe(0);

      const whenDone = r0!['whenDone'] as Record<string, number[]>;
      const final = r0!['final'] as Record<string, number[]>;
      const saved = r0!['saved'] as Record<string, number[]>;
      expect(Object.keys(saved).sort()).toEqual(Object.keys(final).sort());
      for (const name of Object.keys(final)) expect(saved[name], name).toEqual(final[name]);
      const moved = Object.keys(final).some((n) => final[n]!.some((v, i) => v !== whenDone[n]![i]));
      expect(moved, 'worker 1 pushed after worker 0 finished').toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 260_000);
});
