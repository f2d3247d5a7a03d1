// dist_async on 2 workers and 1 server (mpirun -np 3, loopback): a worker slowed down on purpose does
// not hold back the other, and the model the server updates with both workers' pushes converges.
import { StateError } from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';

import { numServersFromEnv, serverOf } from '../../src/distributed/async-protocol.js';
import { mpiMissing, runMpi } from './run-mpi.js';

const STEPS = 20;
const SLOW_MS = 250;

describe('dist_async roles', () => {
  it('DMLC_NUM_SERVER sizes the servers; without a valid one the StateError says to use bkt-launch -s', () => {
    const saved = process.env['DMLC_NUM_SERVER'];
    try {
      process.env['DMLC_NUM_SERVER'] = '2';
      expect(numServersFromEnv('create', 5)).toBe(2);
      for (const bad of [undefined, '0', '5', 'x']) {
        if (bad === undefined) delete process.env['DMLC_NUM_SERVER'];
        else process.env['DMLC_NUM_SERVER'] = bad;
        expect(() => numServersFromEnv("create('dist_async')", 5)).toThrow(StateError);
        expect(() => numServersFromEnv("create('dist_async')", 5)).toThrow(/bkt-launch -n WORKERS -s SERVERS/);
      }
    } finally {
      if (saved === undefined) delete process.env['DMLC_NUM_SERVER'];
      else process.env['DMLC_NUM_SERVER'] = saved;
    }
  });

  it('keys spread over the server ranks, which follow the workers', () => {
    const servers = new Set(Array.from({ length: 40 }, (_, i) => serverOf(`p${i}_weight`, 3, 2)));
    expect([...servers].sort()).toEqual([3, 4]);
    expect(serverOf(7, 3, 2)).toBe(serverOf(7, 3, 2));
  });
});

describe.skipIf(mpiMissing !== null)('dist_async on MPI', () => {
  it('the fast worker finishes its steps without waiting for the slow one; the loss falls on both', async () => {
    const run = await runMpi(2, 'async-worker.ts', [], { numServers: 1, timeoutMs: 120_000 });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const [fast, slow] = run.results as { rank: number; numWorkers: number; losses: number[]; elapsedMs: number }[];
    expect(run.results).toHaveLength(2); // the server reports nothing
    for (const w of [fast!, slow!]) {
      expect(w.numWorkers).toBe(2);
      expect(w.losses).toHaveLength(STEPS);
      expect(w.losses.at(-1)!).toBeLessThan(w.losses[0]! / 4);
    }
    // the slow worker sleeps SLOW_MS after each step; under a step-wide barrier the fast one would too
    expect(slow!.elapsedMs).toBeGreaterThanOrEqual(STEPS * SLOW_MS);
    expect(fast!.elapsedMs).toBeLessThan((STEPS * SLOW_MS) / 2);
  }, 150_000);
});
