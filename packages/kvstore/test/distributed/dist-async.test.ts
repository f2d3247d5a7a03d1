// dist_async on 2 workers and 1 server (mpirun -np 3, loopback): a worker slowed down on purpose does
// not hold back the other, and the model the server updates with both workers' pushes converges.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { StateError, ValueError } from '@bkt/ndarray';
import { create as createOptimizer, LRScheduler, PolyScheduler } from '@bkt/optimizer';
import { describe, expect, it } from 'vitest';

import { numServersFromEnv, serverOf } from '../../src/distributed/async-protocol.js';
import { type OptimizerWire, optimizerWire, rebuildOptimizer } from '../../src/distributed/optimizer-wire.js';
import { compressedGradient, K, THRESHOLD } from './async-features-data.js';
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

describe('the optimizer as dist_async servers get it', () => {
  it('rebuilds the same optimizer, scheduler position and multipliers from JSON', () => {
    const sched = new PolyScheduler({ maxUpdate: 40, pwr: 2, baseLr: 0.5, finalLr: 0.01 });
    const opt = createOptimizer('sgd', {
      learningRate: 0.3,
      momentum: 0.8,
      lrScheduler: sched,
      paramIdx2Name: new Map([[0, 'fc_bias']]),
    });
    opt.setLrMult({ fc_weight: 0.25 });
    opt.numUpdate = 7;
    const wire = JSON.parse(JSON.stringify(optimizerWire(opt, 'dist_async'))) as OptimizerWire;
    const again = rebuildOptimizer(wire);
    expect([again.name, again.createOptions['momentum'], again.numUpdate, again.learningRate]).toEqual([
      'sgd',
      0.8,
      7,
      opt.learningRate,
    ]);
    expect(again.lrScheduler).toBeInstanceOf(PolyScheduler);
    for (const n of [10, 25, 40]) expect(again.lrScheduler!.lr(n)).toBe(sched.lr(n));
    expect([...again.lrMult]).toEqual([...opt.lrMult]);
    expect(again.wdMult.get('fc_bias')).toBe(0); // MXNet's no-decay rule for biases, from paramIdx2Name
  });

  it('a scheduler that is not registered cannot travel: a ValueError naming it', () => {
    class Halving extends LRScheduler {
      lr(n: number): number {
        return this.baseLr / 2 ** n;
      }
    }
    const opt = createOptimizer('sgd', { lrScheduler: new Halving() });
    expect(() => optimizerWire(opt, 'dist_async')).toThrow(ValueError);
    expect(() => optimizerWire(opt, 'dist_async')).toThrow(
      /the dist_async store sends the optimizer .* 'sgd' with its Halving cannot be rebuilt/,
    );
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

/** The values 2-bit compression delivers for K pushes of `g` from one sender, summed (float32, as the kernels). */
function decodedSum(g: readonly number[]): number[] {
  const r = g.map(() => 0);
  const sum = g.map(() => 0);
  for (let k = 0; k < K; k++) {
    g.forEach((x, j) => {
      r[j] = Math.fround(r[j]! + x);
      if (r[j]! >= THRESHOLD) [r[j], sum[j]] = [Math.fround(r[j]! - THRESHOLD), sum[j]! + THRESHOLD];
      else if (r[j]! <= -THRESHOLD) [r[j], sum[j]] = [Math.fround(r[j]! + THRESHOLD), sum[j]! - THRESHOLD];
    });
  }
  return sum;
}

/**
 * SGD with momentum 0.9, lr 0.1 from zero (MXNet 1.6+'s sgd_mom_update: mom = 0.9·mom − g, w += lr·mom),
 * every update with gradient THRESHOLD: the weight and momentum after n updates.
 */
function momentumAfter(n: number): { weight: number; mom: number } {
  let weight = 0;
  let mom = 0;
  for (let i = 0; i < n; i++) {
    mom = Math.fround(Math.fround(0.9 * mom) - THRESHOLD);
    weight = Math.fround(weight + Math.fround(0.1 * mom));
  }
  return { weight, mom };
}

describe.skipIf(mpiMissing !== null)('dist_async features on 2 workers and 2 servers', () => {
  it('compresses pushes, runs the shipped lrScheduler on the servers, saves and loads their optimizer states, decays later keys by their multipliers; misuse is a typed error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bkt-async-states-'));
    try {
      const run = await runMpi(2, 'async-features-worker.ts', [], {
        numServers: 2,
        timeoutMs: 150_000,
        env: { BKT_TEST_STATES_FILE: join(dir, 'opt.states') },
      });
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
      expect(run.results).toHaveLength(2);
      const [r0, r1] = run.results as Record<string, number[] & number[][]>[];

      // 1. the servers applied what the workers' 2-bit codes say, residuals carried across pushes
      const s0 = decodedSum(compressedGradient(0));
      const s1 = decodedSum(compressedGradient(1));
      const expected = s0.map((v, j) => 0 - (v + s1[j]!)); // 0 - x: the server subtracts from zero, giving +0
      for (const r of [r0!, r1!]) expect(r['compressed']).toEqual(expected);
      const uncompressed = compressedGradient(0).map((v, j) => -K * (v + compressedGradient(1)[j]!));
      expect(Math.max(...expected.map((v, j) => Math.abs(v - uncompressed[j]!)))).toBeGreaterThan(0.1);

      // 2. FactorScheduler(step 2, factor 0.5) on the server's update count n = 1 … 2K
      let w = 0;
      for (let n = 1; n <= 2 * K; n++) w -= THRESHOLD * 0.5 ** Math.floor((n - 1) / 2);
      for (const r of [r0!, r1!]) for (const v of r['scheduled']!) expect(v).toBeCloseTo(w, 6);
      expect(w).toBeGreaterThan((-THRESHOLD * 2 * K) / 2); // well away from the unscheduled -THRESHOLD·2K

      // 3. the saved file holds both servers' keys after 2K updates; the loaded states continue them
      expect(r0!['savedCounts']).toEqual([2 * K, 2 * K]);
      const saved = momentumAfter(2 * K);
      for (const m of r0!['savedMomentum'] as unknown as number[][]) for (const v of m) expect(v).toBeCloseTo(saved.mom, 5);
      const resumed = momentumAfter(2 * K + 2).weight;
      const restarted = saved.weight + momentumAfter(2).weight; // what forgetting the momentum would give
      expect(Math.abs(resumed - restarted)).toBeGreaterThan(0.05);
      for (const r of [r0!, r1!])
        for (const m of r['resumed'] as unknown as number[][]) for (const v of m) expect(v).toBeCloseTo(resumed, 5);

      // misuse: typed errors on the worker, nothing sent
      for (const r of [r0!, r1!]) {
        expect(r['saveWithoutOptimizer']).toMatch(
          /^StateError: saveOptimizerStates: the dist_async store has no optimizer; call setOptimizer first/,
        );
        expect(r['loadBadFile']).toMatch(
          /^FormatError: loadOptimizerStates: '.*opt\.states\.bad\d': setStates: not a bkt optimizer state/,
        );
        expect(r['pushFloat64Compressed']).toMatch(
          /^DTypeError: push: 2-bit gradient compression needs float32 gradients but key 'f64' is float64/,
        );
      }

      // 4. one zero-gradient push per worker: the bias keeps its value, the weight decays twice by lr·wd
      for (const r of [r0!, r1!]) {
        const [bias, weight] = r['late'] as unknown as number[][];
        expect(bias).toEqual([1, 1, 1]);
        for (const v of weight!) expect(v).toBeCloseTo(0.81, 6);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
