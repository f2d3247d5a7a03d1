// fitAsync: fit's loop between event-loop turns. It trains exactly as fit does, lets timers run
// while it trains, and an AbortSignal stops it after the current batch with the unfinished epoch
// left to the caller (who checkpoints it).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as nd from '@bkt/ndarray';
import { FullyConnected, SoftmaxOutput, Variable } from '@bkt/symbol';
import { afterAll, describe, expect, it } from 'vitest';
import { type BatchEndParam, Module, moduleCheckpoint, NDArrayIter, Uniform } from '../src/index.js';

const quiet = (): void => {};
const tmp = mkdtempSync(join(tmpdir(), 'bkt-fit-async-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const net = () => SoftmaxOutput({ data: FullyConnected({ data: Variable('data'), name: 'fc', numHidden: 2 }), name: 'softmax' });

function data(): NDArrayIter {
  nd.seed(3);
  const x = nd.random.normal(0, 1, [60, 4]);
  const y = nd.array(Array.from({ length: 60 }, (_, i) => i % 2));
  return new NDArrayIter(x, y, { batchSize: 10 });
}
const opts = { optimizer: 'sgd', optimizerParams: { learningRate: 0.3, momentum: 0.9 }, initializer: new Uniform(0.5) } as const;

describe('fitAsync', () => {
  it('trains exactly as fit, with the same callbacks in the same order', async () => {
    const events: string[][] = [[], []];
    const run = (i: number) => ({
      ...opts,
      numEpoch: 2,
      evalData: data(),
      batchEndCallback: (p: BatchEndParam) => events[i]!.push(`batch ${p.epoch}.${p.nbatch}`),
      epochEndCallback: (epoch: number) => events[i]!.push(`epoch ${epoch}`),
      evalEndCallback: (p: BatchEndParam) => events[i]!.push(`evalEnd ${p.epoch}`),
    });
    nd.seed(5);
    const sync = new Module(net(), { logger: quiet });
    sync.fit(data(), run(0));
    nd.seed(5);
    const async = new Module(net(), { logger: quiet });
    expect(await async.fitAsync(data(), run(1))).toEqual({ aborted: false });
    expect(events[1]).toEqual(events[0]);
    expect(events[0]).toHaveLength(2 * (6 + 2));
    const [a] = sync.getParams();
    const [b] = async.getParams();
    for (const k of Object.keys(a)) expect(b[k]!.toArray()).toEqual(a[k]!.toArray());
  });

  it('lets a timer fire while it trains (fit does not)', async () => {
    // the timer records how many batches had run when it fired
    const firedAfter = async (train: (countBatch: () => void) => unknown): Promise<number> => {
      let batches = 0;
      let fired = -1;
      const timer = setTimeout(() => (fired = batches), 0);
      await train(() => (batches += 1));
      await new Promise((resolve) => setImmediate(resolve));
      clearTimeout(timer);
      expect(batches).toBe(18);
      return fired;
    };
    const asyncFired = await firedAfter((count) =>
      new Module(net(), { logger: quiet }).fitAsync(data(), { ...opts, numEpoch: 3, batchEndCallback: count }),
    );
    expect(asyncFired).toBeGreaterThanOrEqual(1);
    expect(asyncFired).toBeLessThan(18);
    const syncFired = await firedAfter((count) =>
      new Module(net(), { logger: quiet }).fit(data(), { ...opts, numEpoch: 3, batchEndCallback: count }),
    );
    expect(syncFired).toBe(18);
  });

  it('an abort ends training after the current batch; the caller checkpoints the unfinished epoch', async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const mod = new Module(net(), { logger: quiet });
    const prefix = join(tmp, 'abort');
    const end = await mod.fitAsync(data(), {
      ...opts,
      numEpoch: 3,
      evalData: data(),
      signal: controller.signal,
      batchEndCallback: (p: BatchEndParam) => {
        seen.push(`batch ${p.epoch}.${p.nbatch}`);
        // aborting inside batch 1.2 lets that batch finish and no other start
        if (p.epoch === 1 && p.nbatch === 2) controller.abort();
      },
      epochEndCallback: [(epoch: number) => seen.push(`epoch ${epoch}`), moduleCheckpoint(mod, prefix)],
    });
    expect(end).toEqual({ aborted: true, epoch: 1, batches: 3 });
    expect(seen.slice(-4)).toEqual(['epoch 0', 'batch 1.0', 'batch 1.1', 'batch 1.2']);
    // epoch 0 was checkpointed by its epoch-end callback; the unfinished epoch 1 was not
    expect(existsSync(`${prefix}-0001.params`)).toBe(true);
    expect(existsSync(`${prefix}-0002.params`)).toBe(false);
    mod.saveCheckpoint(prefix, 1);
    const resumed = Module.load(prefix, 1, { logger: quiet });
    const [a] = mod.getParams();
    resumed.bind(data().provideData, data().provideLabel);
    const [b] = resumed.getParams();
    for (const k of Object.keys(a)) expect(b[k]!.toArray()).toEqual(a[k]!.toArray());
  });

  it('an abort between epochs reports the next epoch with no batch; bad options are typed errors', async () => {
    const controller = new AbortController();
    const mod = new Module(net(), { logger: quiet });
    const end = await mod.fitAsync(data(), {
      ...opts,
      numEpoch: 3,
      signal: controller.signal,
      epochEndCallback: () => controller.abort(),
    });
    expect(end).toEqual({ aborted: true, epoch: 1, batches: 0 });
    await expect(mod.fitAsync(data(), { numEpoch: 1, signal: 'stop' as unknown as AbortSignal })).rejects.toThrow(nd.ValueError);
    await expect(mod.fitAsync(data(), { numEpoch: 1, signl: null } as never)).rejects.toThrow(/fitAsync: unknown option 'signl'/);
    await expect(mod.fitAsync(data(), {})).rejects.toThrow(/fitAsync: numEpoch is required/);
  });
});
