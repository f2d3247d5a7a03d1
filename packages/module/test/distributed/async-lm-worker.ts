// One rank of the dist_async LM test (2 workers, 1 server): each worker fits the LM on its half of
// every batch for several epochs, worker 1 slowed down so that it still pushes after worker 0 is done.
// Rank 0 reports its per-epoch training perplexity, the servers' values when its fit returned and
// after both workers finished, and what the checkpoint it then saves holds.
import * as nd from '@bkt/ndarray';
import { create } from '@bkt/kvstore';

import { report } from '../../../kvstore/test/distributed/report.js';
import { loadParams, Xavier } from '../../src/index.js';
import { cycleData, lmModule } from './lm-setup.js';

const EPOCHS = 4;
const SLOW_MS = 30;

const kv = create('dist_async'); // the server rank serves here and never returns
const rank = kv.rank;
const data = cycleData(rank);
if (rank === 1) {
  const next = data.next.bind(data);
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  data.next = () => {
    Atomics.wait(sleeper, 0, 0, SLOW_MS);
    return next();
  };
}
const perplexities: number[] = [];
let logs = 0;
const logger = (m: string): void => {
  logs += 1;
  const found = /^Epoch\[\d+\] Train-perplexity=([\d.e+-]+)/.exec(m);
  if (found) perplexities.push(Number(found[1]));
};
nd.seed(5);
const mod = lmModule(logger);
mod.fit(data, {
  numEpoch: EPOCHS,
  kvstore: kv,
  optimizer: 'sgd',
  optimizerParams: { learningRate: 0.03, momentum: 0.9 },
  initializer: new Xavier({ factorType: 'in', magnitude: 2.34 }),
  evalMetric: 'perplexity',
});

/** The servers' current values of every parameter. */
const serverValues = (): Record<string, number[]> => {
  const [args] = mod.getParams();
  return Object.fromEntries(
    Object.entries(args).map(([name, v]) => {
      const out = nd.zeros(v.shape);
      kv.pull(name, out);
      return [name, Array.from(out.toArray())];
    }),
  );
};
const whenDone = rank === 0 ? serverValues() : null;
kv.barrier(); // both workers are done: nothing changes on the servers any more
if (rank === 0) {
  const prefix = process.env['BKT_TEST_CHECKPOINT']!;
  mod.saveCheckpoint(prefix, EPOCHS);
  const { argParams } = loadParams(prefix, EPOCHS);
  const saved = Object.fromEntries(Object.entries(argParams).map(([n, v]) => [n, Array.from(v.toArray())]));
  report({
    rank,
    perplexities,
    logs,
    whenDone,
    final: serverValues(),
    saved,
    rescaleGrad: mod.kvstore!.optimizerUpdater!.optimizer.rescaleGrad,
  });
} else {
  report({ rank, logs });
}
