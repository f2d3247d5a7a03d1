// Module.update makes one native optimizer call per step (a multi-tensor update over every parameter
// and device), locally and on a local kvstore, and trains bit for bit as the same module whose updater
// is driven one parameter at a time.
import * as nd from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';

import { countUpdateCalls } from '../../ndarray/test/native-calls.js';
import { Module, NDArrayIter, Uniform } from '../src/index.js';
import { dataset, mlp } from './blobs.js';
import { oneByOne } from './one-by-one.js';

const quiet = (): void => {};

interface Setup {
  label: string;
  context: nd.Context[];
  kvstore: string | null;
  optimizer: string;
  optimizerParams: Record<string, unknown>;
}

const SETUPS: Setup[] = [
  {
    label: 'one device, local updater, sgd momentum',
    context: [nd.cpu(0)],
    kvstore: null,
    optimizer: 'sgd',
    optimizerParams: { learningRate: 0.5, momentum: 0.9, wd: 0.01 },
  },
  {
    label: 'two devices, local updater, adam',
    context: [nd.cpu(0), nd.cpu(1)],
    kvstore: null,
    optimizer: 'adam',
    optimizerParams: { learningRate: 0.01, clipGradient: 0.5 },
  },
  {
    label: 'two devices, update on the local kvstore, sgd',
    context: [nd.cpu(0), nd.cpu(1)],
    kvstore: 'local',
    optimizer: 'sgd',
    optimizerParams: { learningRate: 0.5, momentum: 0.9 },
  },
];

function train(
  s: Setup,
  perParameter: boolean,
): { params: Record<string, nd.NDArray>; calls: Record<string, number>[]; onKV: boolean } {
  const { x, y } = dataset(80);
  const it = new NDArrayIter(x, y, { batchSize: 20 });
  const mod = new Module(mlp(), { context: s.context, logger: quiet });
  mod.bind(it.provideData, it.provideLabel);
  nd.seed(3);
  mod.initParams({ initializer: new Uniform(0.5) });
  mod.initOptimizer({ kvstore: s.kvstore, optimizer: s.optimizer, optimizerParams: s.optimizerParams });
  if (perParameter) oneByOne(mod.updater!);
  const calls: Record<string, number>[] = [];
  for (let epoch = 0; epoch < 2; epoch++) {
    it.reset();
    for (const batch of it) {
      mod.forwardBackward(batch);
      calls.push(countUpdateCalls(() => mod.update()));
    }
  }
  return { params: mod.getParams()[0], calls, onKV: mod.updateOnKVStore };
}

describe('Module.update: one native optimizer call per step', () => {
  for (const s of SETUPS) {
    it(s.label, () => {
      const many = train(s, false);
      const one = train(s, true);
      expect(many.onKV).toBe(s.kvstore !== null);
      // 4 parameters (fc1/fc2 weight and bias) on every device the updater sees.
      const updates = 4 * (many.onKV ? 1 : s.context.length);
      for (const c of many.calls) expect(c).toEqual({ multiUpdate: 1 });
      for (const c of one.calls) expect(Object.values(c).reduce((a, b) => a + b, 0)).toBe(updates);
      for (const [name, value] of Object.entries(one.params)) {
        expect(Buffer.from(many.params[name]!.toTypedArray().buffer).equals(Buffer.from(value.toTypedArray().buffer)), name).toBe(
          true,
        );
      }
    });
  }
});
