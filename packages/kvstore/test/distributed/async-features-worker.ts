// One rank of the dist_async features test (2 workers, 2 servers), in four phases a barrier apart:
// 1. 2-bit compression: each worker pushes its own gradient K times; the servers decode and apply SGD.
// 2. an lrScheduler shipped with the optimizer: every push decodes to +threshold, so the value the
//    servers reach depends only on the rates their scheduler gives the update counts 1 … 2K.
// 3. optimizer states: SGD with momentum on two keys on different servers; rank 0 saves the states
//    (gathered from both servers), the optimizer is reset, the states loaded back, and training goes on.
// 4. weight decay of keys initialised after setOptimizer: a bias the optimizer named later gets none.
// Reports the pulled values, the saved states' contents and the errors of misuse.
import { ones, zeros } from '@bkt/ndarray';
import { create as createOptimizer, FactorScheduler, getUpdater } from '@bkt/optimizer';
import { readFileSync, writeFileSync } from 'node:fs';

import { serverOf } from '../../src/distributed/async-protocol.js';
import { create } from '../../src/index.js';
import { compressedGradient, COMPRESSED_SIZE, K, THRESHOLD } from './async-features-data.js';
import { f32 } from './data.js';
import { report } from './report.js';

const kv = create('dist_async'); // the server ranks serve here and never return
const result: Record<string, unknown> = { rank: kv.rank };
/** The class of the error `f` throws (null if none): the errors every worker meets alike, before anything is sent. */
const errorOf = (f: () => void): string | null => {
  try {
    f();
    return null;
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
};
const file = process.env['BKT_TEST_STATES_FILE']!;
result['saveWithoutOptimizer'] = errorOf(() => kv.saveOptimizerStates(file));

// 1. compression
kv.setGradientCompression({ type: '2bit', threshold: THRESHOLD });
kv.setOptimizer(createOptimizer('sgd', { learningRate: 1 }));
kv.init('c', zeros([COMPRESSED_SIZE]));
for (let k = 0; k < K; k++) kv.push('c', f32(compressedGradient(kv.rank), [COMPRESSED_SIZE]));
kv.barrier();
const c = zeros([COMPRESSED_SIZE]);
kv.pull('c', c);
result['compressed'] = Array.from(c.toArray());

// 2. the scheduler (every push of ones decodes to +THRESHOLD)
kv.setOptimizer(createOptimizer('sgd', { learningRate: 1, lrScheduler: new FactorScheduler({ step: 2, factor: 0.5 }) }));
kv.init('a', zeros([4]));
for (let k = 0; k < K; k++) kv.push('a', ones([4]));
kv.barrier();
const a = zeros([4]);
kv.pull('a', a);
result['scheduled'] = Array.from(a.toArray());

// 3. states: two keys on different servers
const names = Array.from({ length: 10 }, (_, i) => `m${i}`);
const m0 = names[0]!;
const m1 = names.find((n) => serverOf(n, kv.numWorkers, 2) !== serverOf(m0, kv.numWorkers, 2))!;
const momentum = () => createOptimizer('sgd', { learningRate: 0.1, momentum: 0.9 });
kv.setOptimizer(momentum());
kv.init([m0, m1], [zeros([6]), zeros([6])]);
for (let k = 0; k < K; k++) kv.push([m0, m1], [ones([6]), ones([6])]);
kv.barrier();
if (kv.rank === 0) {
  kv.saveOptimizerStates(file);
  const saved = getUpdater(momentum());
  saved.setStates(new Uint8Array(readFileSync(file)));
  result['savedCounts'] = [m0, m1].map((n) => saved.optimizer.indexUpdateCount.get(n));
  result['savedMomentum'] = [m0, m1].map((n) => Array.from(saved.states.get(n)!.arrays[0]!.toArray()));
}
kv.barrier();
const bad = `${file}.bad${kv.rank}`;
writeFileSync(bad, 'not a states file');
result['loadBadFile'] = errorOf(() => kv.loadOptimizerStates(bad));
kv.setOptimizer(momentum()); // fresh states on the servers ...
kv.loadOptimizerStates(file); // ... then the saved ones
kv.push([m0, m1], [ones([6]), ones([6])]);
kv.barrier();
const after = [zeros([6]), zeros([6])];
kv.pull([m0, m1], after);
result['resumed'] = after.map((x) => Array.from(x.toArray()));

// 4. keys named after setOptimizer (a bucket's own parameters) get their multipliers on the servers too
const decaying = createOptimizer('sgd', { learningRate: 1, wd: 0.1, paramIdx2Name: { 0: 'early_weight' } });
kv.setOptimizer(decaying);
decaying.addParamNames([[1, 'late_bias']]); // as Module does for a new bucket: no weight decay for a bias
kv.init(['late_bias', 'late_weight'], [ones([3]), ones([3])]);
kv.push(['late_bias', 'late_weight'], [zeros([3]), zeros([3])]);
kv.barrier();
const late = [zeros([3]), zeros([3])];
kv.pull(['late_bias', 'late_weight'], late);
result['late'] = late.map((x) => Array.from(x.toArray()));
kv.init('f64', zeros([2], { dtype: 'float64' }));
result['pushFloat64Compressed'] = errorOf(() => kv.push('f64', zeros([2], { dtype: 'float64' })));
report(result);
