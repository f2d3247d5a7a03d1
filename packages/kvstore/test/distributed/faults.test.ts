// A worker killed with SIGKILL mid-training: every other rank stops with a message and the job
// exits non-zero within 30 s, instead of waiting forever in a collective; a collective some rank
// never joins is an error after the timeout.
import { describe, expect, it } from 'vitest';

import { mpiMissing, runMpi } from './run-mpi.js';

describe.skipIf(mpiMissing !== null)('faults', () => {
  it('SIGKILL of one of 3 workers ends the job non-zero with a clear message within 30 s', async () => {
    const run = await runMpi(3, 'fault-worker.ts', [], { timeoutMs: 90_000 });
    expect(run.code).not.toBe(0);
    expect(run.results).toHaveLength(1);
    const killedAt = run.results[0]!['killedAt'] as number;
    expect(run.endedAt - killedAt).toBeLessThan(30_000);
    expect(run.stderr).toMatch(/exited on signal 9/);
    // the survivors say why they stop (mpirun may end before it forwards every rank's last words)
    expect(run.stderr).toMatch(
      /this rank was stopped by the MPI launcher \(SIGTERM\): another rank of the job failed or was killed/,
    );
  }, 120_000);

  it('SIGKILL of one of 2 dist_async workers ends the job (the other worker and the server) non-zero within 30 s', async () => {
    const run = await runMpi(2, 'fault-worker.ts', ['dist_async'], { numServers: 1, timeoutMs: 90_000 });
    expect(run.code).not.toBe(0);
    expect(run.stderr).not.toMatch(/\[run-mpi\] killed after/);
    expect(run.results).toHaveLength(1);
    const killedAt = run.results[0]!['killedAt'] as number;
    expect(run.endedAt - killedAt).toBeLessThan(30_000);
    expect(run.stderr).toMatch(/exited on signal 9/);
  }, 120_000);

  it('a collective the other ranks never join is a StateError after BKT_KVSTORE_TIMEOUT, and the job ends', async () => {
    const run = await runMpi(2, 'sync-worker.ts', ['timeout'], { timeoutMs: 60_000, env: { BKT_KVSTORE_TIMEOUT: '2' } });
    expect(run.code).not.toBe(0);
    expect(run.elapsedMs).toBeLessThan(45_000);
    expect(run.results[0]!['error']).toMatch(
      /^StateError: barrier: rank 0 of 2: no answer from the other ranks after 2 s \(do all workers call the same kvstore operations/,
    );
  }, 90_000);
});
