// dist_sync / dist_device_sync across real MPI processes (mpirun -np 2 and 3 on loopback), against
// one-process computations of the same sums (MXNet's dist_sync_kvstore.py and test_compress_kvstore).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { dequantize2bit, NativeError, quantize2bit, zeros } from '@bkt/ndarray';
import { create as createOptimizer } from '@bkt/optimizer';
import { describe, expect, it } from 'vitest';

import { LocalStore } from '../../src/index.js';
import { loadMpiAddon } from '../../src/distributed/mpi.js';
import { f32, gradient, longGradient, N, SHAPE } from './data.js';
import { mpiMissing, runMpi } from './run-mpi.js';

const fr = Math.fround;
/** Float32 sum of a rank's two device pushes, then over ranks in rank order. */
function sumOverRanks(np: number, perRank: (r: number) => number[]): number[] {
  const rows = Array.from({ length: np }, (_, r) => perRank(r));
  return rows[0]!.map((_, i) => rows.map((row) => row[i]!).reduce((s, x) => fr(s + x)));
}
const localSum = (r: number, step: number): number[] => gradient(r, step, 0).map((x, i) => fr(x + gradient(r, step, 1)[i]!));

function expectClose(actual: readonly number[], expected: readonly number[], tol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i]!)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected[i]!))));
}

async function run(np: number, scenario: string, type = 'dist_sync') {
  const env = { BKT_KVSTORE_FUSION_BYTES: '64', BKT_KVSTORE_BUCKET_BYTES: '64' };
  const r = await runMpi(np, 'sync-worker.ts', [scenario, type], { timeoutMs: 90_000, env });
  if (r.code !== 0 || r.results.length !== np)
    throw new Error(`mpirun ${scenario} failed (code ${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r.results;
}

describe('without MPI', () => {
  it('a missing MPI addon is a NativeError naming the apt packages', () => {
    expect(() => loadMpiAddon("create('dist_sync')", '/nonexistent/bkt_dist.node')).toThrow(NativeError);
    expect(() => loadMpiAddon("create('dist_sync')", '/nonexistent/bkt_dist.node')).toThrow(
      /apt-get install openmpi-bin libopenmpi-dev/,
    );
  });

  it('an addon that does not load is a NativeError saying how to rebuild it with Open MPI', () => {
    const broken = join(mkdtempSync(join(tmpdir(), 'bkt-mpi-')), 'bkt_dist.node');
    writeFileSync(broken, 'not an addon');
    expect(() => loadMpiAddon("create('dist_sync')", broken)).toThrow(NativeError);
    expect(() => loadMpiAddon("create('dist_sync')", broken)).toThrow(
      /cannot be loaded.*needs g\+\+, make, python3 and Open MPI \(apt-get install/,
    );
  });
});

describe.skipIf(mpiMissing !== null)('dist_sync on MPI', () => {
  for (const [np, type] of [
    [2, 'dist_sync'],
    [3, 'dist_device_sync'],
  ] as const) {
    it(`${type} on ${np} workers: init, push sums, fused and partial keys, broadcast, rowSparsePull, barrier`, async () => {
      const results = await run(np, 'basics', type);
      const pushSum = sumOverRanks(np, (r) => localSum(r, 0));
      for (const res of results) {
        expect(res.type).toBe(type);
        expect(res.numWorkers).toBe(np);
        expect(res.init).toEqual(new Array(N).fill(1));
        expectClose(res.pushSum as number[], pushSum);
        const [k5, k7, k9] = res.fused as number[][];
        expect(k5).toEqual([(np * (np - 1)) / 2, np]);
        expectClose(k7!, sumOverRanks(np, longGradient));
        expect(k9).toEqual([np, 2 * np, (np * (np - 1)) / 2]);
        expect(res.partial).toEqual([[10, 20], new Array(300).fill(np)]);
        expect(res.broadcast).toEqual([5, -1]);
        const rows = (pushSum as number[]).map((x, i) => (Math.floor(i / 5) === 0 || Math.floor(i / 5) === 2 ? x : 0));
        expectClose(res.rowsDense as number[], rows);
        expectClose(res.rowsSparse as number[], rows);
        // every worker holds bit-identical values
        expect(res.pushSum).toEqual(results[0]!.pushSum);
        expect(res.fused).toEqual(results[0]!.fused);
      }
      expect(results[0]!.barrierMs).toBeGreaterThanOrEqual(300);
    });
  }

  it('updates on the store scale with the number of workers (dist_sync_kvstore.py)', async () => {
    const results = await run(3, 'updater');
    for (const res of results) expect(res.value).toBe(1 + 2 * 3 * 3);
  });

  it('SGD on the store equals one process summing every worker, identically on all workers; states save and load', async () => {
    const np = 2;
    const results = await run(np, 'optimizer');
    const kv = new LocalStore();
    kv.setOptimizer(createOptimizer('sgd', { learningRate: 0.1, momentum: 0.9, wd: 0.01, rescaleGrad: 0.5 }));
    kv.init(0, f32(new Array(N).fill(0.5), SHAPE));
    const w = zeros(SHAPE);
    for (let s = 0; s < 4; s++)
      kv.pushPull(
        0,
        f32(
          sumOverRanks(np, (r) => localSum(r, s)),
          SHAPE,
        ),
        w,
      );
    for (const res of results) {
      expectClose(res.weights as number[], Array.from(w.toArray()));
      expect(res.weights).toEqual(results[0]!.weights);
      expect(res.states).toEqual(results[0]!.states);
    }
    kv.dispose();
  });

  it('2-bit compression: thresholds and residuals across steps, summed over workers (test_compress_kvstore)', async () => {
    const np = 2;
    const results = await run(np, 'compression');
    const pushes = (r: number): number[][] => [
      new Array(N).fill(0.4),
      new Array(N).fill(0.2),
      new Array(N).fill(-1.5),
      new Array(N).fill(0),
      gradient(r, 9, 0).map((x) => 0.6 * x),
    ];
    const residuals = Array.from({ length: np }, () => zeros(SHAPE));
    const expected = pushes(0).map((_, step) =>
      sumOverRanks(np, (r) => {
        const words = quantize2bit(f32(pushes(r)[step]!, SHAPE), residuals[r]!, 0.5);
        return Array.from(dequantize2bit(words, 0.5, SHAPE).toArray());
      }),
    );
    expect(expected[0]).toEqual(new Array(N).fill(0));
    expect(expected[1]).toEqual(new Array(N).fill(0.5 * np));
    expect(expected[2]).toEqual(new Array(N).fill(-0.5 * np));
    expect(expected[3]).toEqual(new Array(N).fill(-0.5 * np));
    for (const res of results) expect(res.steps).toEqual(expected);
  });

  it('beginPushPull: buckets sent as keys become ready (in any order per rank) sum like pushPull; a push drops an unfinished one', async () => {
    const np = 2;
    const results = await run(np, 'early');
    for (const res of results) {
      const [k5, k7, k9] = res.summed as number[][];
      expect(k5).toEqual([(np * (np - 1)) / 2, np]);
      expectClose(k7!, sumOverRanks(np, longGradient));
      expect(k9).toEqual([np, 2 * np, (np * (np - 1)) / 2]);
      expect(res.afterDrop).toEqual([[np, np], k7]);
    }
  });

  it('a different shape on one worker is a StateError naming the rank and the key', async () => {
    const results = await run(2, 'mismatch');
    for (const res of results) {
      expect(res.error).toMatch(
        /^StateError: init: rank 1 has key 'fc_weight' \(3, 3\) float32 where rank 0 has key 'fc_weight' \(3, 2\)/,
      );
    }
  });
});
