// One rank of the dist_async test (2 workers, 1 server): each worker fits a least-squares model on its
// own data through the store (pull the weights, push the gradient; SGD runs on the server); worker 1
// sleeps after every step. Reports each step's loss and how long the steps took.
import { fromTypedArray, random, seed, zeros } from '@bkt/ndarray';
import { create as createOptimizer } from '@bkt/optimizer';

import { create } from '../../src/index.js';
import { report } from './report.js';

const STEPS = 20;
const SLOW_MS = 250;
const D = 8;
const ROWS = 32;

const kv = create('dist_async'); // the server rank serves here and never returns
kv.setOptimizer(createOptimizer('sgd', { learningRate: 0.1 }));
kv.init('w', zeros([D]));

// y = X w* with the same w* for every worker, X of its own
seed(11);
const target = Array.from(random.uniform(-1, 1, [D]).toArray());
seed(100 + kv.rank);
const x = Array.from(random.uniform(-1, 1, [ROWS * D]).toArray());
const y = Array.from({ length: ROWS }, (_, r) => target.reduce((s, t, j) => s + t * x[r * D + j]!, 0));

const w = zeros([D]);
const losses: number[] = [];
const started = performance.now();
const sleeper = new Int32Array(new SharedArrayBuffer(4));
for (let step = 0; step < STEPS; step++) {
  kv.pull('w', w);
  const wv = Array.from(w.toArray());
  const grad = new Float32Array(D);
  let loss = 0;
  for (let r = 0; r < ROWS; r++) {
    const err = wv.reduce((s, v, j) => s + v * x[r * D + j]!, 0) - y[r]!;
    loss += (err * err) / ROWS;
    for (let j = 0; j < D; j++) grad[j]! += (2 * err * x[r * D + j]!) / ROWS;
  }
  losses.push(loss);
  kv.push('w', fromTypedArray(grad, [D]));
  if (kv.rank === 1) Atomics.wait(sleeper, 0, 0, SLOW_MS);
}
report({ rank: kv.rank, numWorkers: kv.numWorkers, losses, elapsedMs: performance.now() - started });
