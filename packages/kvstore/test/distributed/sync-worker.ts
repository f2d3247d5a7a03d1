// One rank of the dist_sync tests (started by dist-sync.test.ts through mpirun). Each rank's data comes
// from a generator seeded with its rank, so the test recomputes every rank's pushes in one process.
// argv: scenario name.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { array, cpu, NDArray, sparse, zeros } from '@bkt/ndarray';
import { create as createOptimizer } from '@bkt/optimizer';

import { create, type KVStore } from '../../src/index.js';
import { f32, gradient, longGradient, N, SHAPE } from './data.js';
import { report } from './report.js';

const list = (a: NDArray): number[] => Array.from(a.toArray());

function basics(kv: KVStore): Record<string, unknown> {
  const out: Record<string, unknown> = { type: kv.type, rank: kv.rank, numWorkers: kv.numWorkers };
  // init: rank 0's value wins
  kv.init(3, f32(new Array(N).fill(kv.rank + 1), SHAPE));
  const pulled = zeros(SHAPE);
  kv.pull(3, pulled);
  out.init = list(pulled);
  // push without an updater replaces the value with the sum over workers and devices
  kv.push(
    3,
    [0, 1].map((d) => f32(gradient(kv.rank, 0, d), SHAPE, cpu(d))),
  );
  kv.pull(3, pulled);
  out.pushSum = list(pulled);
  // several keys in one call, in fused buffers (BKT_KVSTORE_FUSION_BYTES is small): the big key alone
  kv.init([5, 7, 9], [zeros([2]), zeros([300]), zeros([3], { dtype: 'float64' })]);
  const vals = [array([kv.rank, 1]), f32(longGradient(kv.rank), [300]), array([1, 2, kv.rank], { dtype: 'float64' })];
  const outs = [zeros([2]), zeros([300]), zeros([3], { dtype: 'float64' })];
  kv.pushPull([5, 7, 9], vals, outs);
  out.fused = outs.map(list);
  // a key only rank 0 pushes in this call, next to one every rank pushes: no deadlock
  const partial = kv.rank === 0 ? [5, 7] : [7];
  kv.push(
    partial,
    partial.map((k) => (k === 5 ? array([10, 20]) : f32(new Array(300).fill(1), [300]))),
  );
  kv.pull([5, 7], outs.slice(0, 2));
  out.partial = outs.slice(0, 2).map(list);
  // broadcast: rank 0's value
  const bout = zeros([2]);
  kv.broadcast(11, array([kv.rank + 5, -1]), bout);
  out.broadcast = list(bout);
  // rowSparsePull of rows [2, 0, 2] after the push above
  const dense = zeros(SHAPE);
  const rsp = sparse.zeros('row_sparse', SHAPE);
  kv.rowSparsePull(3, [dense, rsp], { rowIds: array([2, 0, 2], { dtype: 'int64' }) });
  out.rowsDense = list(dense);
  out.rowsSparse = list(rsp.tostype('default'));
  // barrier: rank 1 arrives late, rank 0 waits for it
  const t0 = Date.now();
  if (kv.rank === 1) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400);
  kv.barrier();
  out.barrierMs = Date.now() - t0;
  return out;
}

/** MXNet dist_sync_kvstore.py's check: updates by every worker, nrepeat times, on the store. */
function updater(kv: KVStore): Record<string, unknown> {
  const rate = 2;
  kv.setUpdater((_key, merged, stored) => {
    const next = stored.toArray().map((w, i) => w + rate * merged.toArray()[i]!);
    f32(next, stored.shape).copyTo(stored);
  });
  kv.init('w', f32(new Array(N).fill(1), SHAPE));
  const nrepeat = 3;
  for (let i = 0; i < nrepeat; i++) kv.push('w', f32(new Array(N).fill(1), SHAPE));
  const out = zeros(SHAPE);
  kv.pull('w', out);
  return { rank: kv.rank, numWorkers: kv.numWorkers, value: list(out)[0] };
}

/** SGD with momentum on the store for 3 steps; then the states file. */
function optimizer(kv: KVStore): Record<string, unknown> {
  kv.setOptimizer(createOptimizer('sgd', { learningRate: 0.1, momentum: 0.9, wd: 0.01, rescaleGrad: 0.5 }));
  kv.init(0, f32(new Array(N).fill(0.5), SHAPE));
  const w = zeros(SHAPE);
  for (let s = 0; s < 3; s++)
    kv.pushPull(
      0,
      [0, 1].map((d) => f32(gradient(kv.rank, s, d), SHAPE, cpu(d))),
      w,
    );
  const path = join(mkdtempSync(join(tmpdir(), 'bkt-dist-')), 'opt.states');
  kv.saveOptimizerStates(path);
  kv.loadOptimizerStates(path);
  kv.pushPull(
    0,
    [0, 1].map((d) => f32(gradient(kv.rank, 3, d), SHAPE, cpu(d))),
    w,
  );
  return { rank: kv.rank, weights: list(w), states: readFileSync(path).toString('base64') };
}

/** MXNet test_compress_kvstore's sequence with a 0.5 threshold: below it, across it, negative, random. */
function compression(kv: KVStore): Record<string, unknown> {
  kv.setGradientCompression({ type: '2bit', threshold: 0.5 });
  kv.init(1, zeros(SHAPE));
  const out = zeros(SHAPE);
  const steps: number[][] = [];
  const push = (g: NDArray): void => {
    kv.push(1, g);
    kv.pull(1, out);
    steps.push(list(out));
  };
  push(f32(new Array(N).fill(0.4), SHAPE)); // residual 0.4: nothing sent
  push(f32(new Array(N).fill(0.2), SHAPE)); // residual 0.6: +0.5 sent, 0.1 kept
  push(f32(new Array(N).fill(-1.5), SHAPE)); // residual -1.4: -0.5 sent
  push(zeros(SHAPE)); // residual -0.9: -0.5 sent
  push(
    f32(
      gradient(kv.rank, 9, 0).map((x) => 0.6 * x),
      SHAPE,
    ),
  ); // random in (-0.6, 0.6)
  return { rank: kv.rank, steps };
}

/** A different shape on rank 1 must be an error naming the rank and the key. */
function mismatch(kv: KVStore): Record<string, unknown> {
  try {
    kv.init('fc_weight', zeros(kv.rank === 1 ? [3, 3] : [3, 2]));
    return { rank: kv.rank, error: null };
  } catch (e) {
    return { rank: kv.rank, error: `${(e as Error).constructor.name}: ${(e as Error).message}` };
  }
}

/** Rank 1 never arrives at rank 0's barrier: with BKT_KVSTORE_TIMEOUT=2 rank 0 gets a StateError and ends the job. */
function timeout(kv: KVStore): Record<string, unknown> {
  if (kv.rank === 1) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
    return { rank: 1 };
  }
  try {
    kv.barrier();
    return { rank: 0, error: null };
  } catch (e) {
    report({ rank: 0, error: `${(e as Error).constructor.name}: ${(e as Error).message}` });
    process.exit(3);
  }
}

/**
 * A pushPull begun early, its keys made ready in a different order on each rank, then one dropped by
 * a push before its pushPull.
 */
function early(kv: KVStore): Record<string, unknown> {
  kv.init([5, 7, 9], [zeros([2]), zeros([300]), zeros([3], { dtype: 'float64' })]);
  const vals = [array([kv.rank, 1]), f32(longGradient(kv.rank), [300]), array([1, 2, kv.rank], { dtype: 'float64' })];
  const outs = [zeros([2]), zeros([300]), zeros([3], { dtype: 'float64' })];
  const handle = kv.beginPushPull([5, 7, 9], vals)!;
  for (const k of kv.rank === 0 ? [9, 7, 5] : [5, 9, 7]) handle.ready([k]);
  handle.done();
  kv.pushPull([5, 7, 9], vals, outs);
  const summed = outs.map(list);
  const dropped = kv.beginPushPull([5, 7], [array([100, 100]), f32(new Array(300).fill(100), [300])])!;
  dropped.ready([7]);
  kv.push(5, array([1, 1]));
  kv.pull([5, 7], outs.slice(0, 2));
  return { rank: kv.rank, summed, afterDrop: outs.slice(0, 2).map(list) };
}

const scenarios: Record<string, (kv: KVStore) => Record<string, unknown>> = {
  basics,
  updater,
  optimizer,
  compression,
  mismatch,
  timeout,
  early,
};
const kv = create(process.argv[3] ?? 'dist_sync');
report(scenarios[process.argv[2]!]!(kv));
kv.dispose();
