import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as nd from '@bkt/ndarray';
import { FullyConnected, SoftmaxOutput, Variable } from '@bkt/symbol';
import { describe, expect, it } from 'vitest';
import {
  Accuracy,
  type BatchEndParam,
  callBatchEnd,
  callEpochEnd,
  CompositeEvalMetric,
  doCheckpoint,
  loadCheckpoint,
  logTrainMetric,
  LogValidationMetricsCallback,
  moduleCheckpoint,
  ProgressBar,
  Speedometer,
} from '../src/index.js';

/** A clock that advances by the given milliseconds at each reading. */
const fakeClock = (steps: number[]): (() => number) => {
  let t = 0;
  let i = 0;
  return () => {
    const now = t;
    t += steps[Math.min(i++, steps.length - 1)]!;
    return now;
  };
};

// accuracy 1/2 after one update
const halfRight = (): Accuracy => {
  const acc = new Accuracy();
  acc.update(
    nd.array([0, 1]),
    nd.array([
      [0.9, 0.1],
      [0.8, 0.2],
    ]),
  );
  return acc;
};

describe('Speedometer', () => {
  it('logs samples/s and the metric every `frequent` batches, resetting local stats (auto_reset)', () => {
    const lines: string[] = [];
    // readings: arm at 0 ms, report after 500 ms, re-arm, report after another 250 ms
    const speedo = new Speedometer(10, 2, true, { logger: (m) => lines.push(m), now: fakeClock([500, 0, 250, 0]) });
    const acc = halfRight();
    for (let nbatch = 0; nbatch <= 4; nbatch++) speedo.call({ epoch: 3, nbatch, evalMetric: acc });
    expect(lines[0]).toBe('Epoch[3] Batch [0-2]\tSpeed: 40.00 samples/sec\taccuracy=0.500000');
    // the first report cleared the local statistics: nothing accumulated since
    expect(lines[1]).toBe('Epoch[3] Batch [2-4]\tSpeed: 80.00 samples/sec\taccuracy=nan');
    expect(Number.isNaN(acc.get()[1] as number)).toBe(true);
    expect(acc.getGlobal()[1]).toBe(0.5);
  });

  it('keeps accumulating without auto_reset, and restarts when the batch count goes back', () => {
    const lines: string[] = [];
    const speedo = new Speedometer(32, 2, false, { logger: (m) => lines.push(m), now: fakeClock([1000]) });
    const metric = new CompositeEvalMetric([halfRight(), 'mse']);
    // each clock reading is 1 s after the previous one: 2 batches × 32 samples per second
    for (const [epoch, nbatch] of [
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
      [1, 1],
      [1, 2],
    ] as const)
      speedo.call({ epoch, nbatch, evalMetric: metric });
    expect(lines).toEqual([
      'Epoch[0] Batch [0-2]\tSpeed: 64.00 samples/sec\taccuracy=0.500000\tmse=nan',
      'Epoch[1] Batch [0-2]\tSpeed: 64.00 samples/sec\taccuracy=0.500000\tmse=nan',
    ]);
    expect(metric.get()[1]).toEqual([0.5, NaN]);
  });

  it('logs the speed alone without a metric, and inf for no elapsed time', () => {
    const lines: string[] = [];
    const speedo = new Speedometer(8, 1, true, { logger: (m) => lines.push(m), now: () => 0 });
    speedo.call({ epoch: 0, nbatch: 0, evalMetric: null });
    speedo.call({ epoch: 0, nbatch: 1, evalMetric: null });
    expect(lines).toEqual(['Iter[0] Batch [1]\tSpeed: inf samples/sec']);
  });
});

describe('other batch callbacks', () => {
  it('ProgressBar draws nbatch / total', () => {
    const lines: string[] = [];
    const bar = new ProgressBar(4, 8, { logger: (m) => lines.push(m) });
    for (const nbatch of [1, 2, 4]) bar.call({ epoch: 0, nbatch, evalMetric: null });
    expect(lines).toEqual(['[==------] 25%\r', '[====----] 50%\r', '[========] 100%\r']);
  });

  it('logTrainMetric logs every period and can reset the local stats', () => {
    const lines: string[] = [];
    const acc = halfRight();
    const cb = logTrainMetric(2, true, { logger: (m) => lines.push(m) });
    cb({ epoch: 1, nbatch: 1, evalMetric: acc });
    cb({ epoch: 1, nbatch: 2, evalMetric: acc });
    expect(lines).toEqual(['Iter[1] Batch[2] Train-accuracy=0.500000']);
    expect(acc.numInst).toBe(0);
  });

  it('LogValidationMetricsCallback logs every value and ignores a missing metric', () => {
    const lines: string[] = [];
    const cb = new LogValidationMetricsCallback({ logger: (m) => lines.push(m) });
    cb.call({ epoch: 2, nbatch: 10, evalMetric: halfRight() });
    cb.call({ epoch: 2, nbatch: 10, evalMetric: undefined });
    expect(lines).toEqual(['Epoch[2] Validation-accuracy=0.500000']);
  });

  it('callBatchEnd calls functions and objects, one or many', () => {
    const seen: string[] = [];
    const param: BatchEndParam = { epoch: 0, nbatch: 5, evalMetric: null, locals: { x: 1 } };
    callBatchEnd((p) => seen.push(`f${p.nbatch}`), param);
    callBatchEnd([{ call: (p: BatchEndParam) => seen.push(`o${String(p.locals?.x)}`) }, (p) => seen.push(`g${p.epoch}`)], param);
    callBatchEnd(undefined, param);
    expect(seen).toEqual(['f5', 'o1', 'g0']);
  });
});

describe('checkpoint callbacks', () => {
  it('doCheckpoint saves <prefix>-symbol.json and <prefix>-<epoch+1>.params every period', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bkt-ckpt-'));
    try {
      const prefix = join(dir, 'net');
      const net = SoftmaxOutput({ data: FullyConnected({ data: Variable('data'), numHidden: 2, name: 'fc' }), name: 'softmax' });
      const args = {
        fc_weight: nd.array([
          [1, 2],
          [3, 4],
        ]),
        fc_bias: nd.array([0.5, -0.5]),
      };
      const aux = { bn_moving_mean: nd.array([7]) };
      const lines: string[] = [];
      const cb = doCheckpoint(prefix, 2, { logger: (m) => lines.push(m) });
      callEpochEnd(cb, 0, net, args, aux);
      expect(existsSync(`${prefix}-0001.params`)).toBe(false);
      callEpochEnd([cb], 1, net, args, aux);
      expect(lines).toEqual([`Saved checkpoint to "${prefix}-0002.params"`]);
      const { symbol, argParams, auxParams } = loadCheckpoint(prefix, 2);
      expect(symbol.listArguments()).toEqual(net.listArguments());
      expect(argParams.fc_weight!.toArray()).toEqual([1, 2, 3, 4]);
      expect(argParams.fc_bias!.toArray()).toEqual([0.5, -0.5]);
      expect(auxParams.bn_moving_mean!.toArray()).toEqual([7]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('moduleCheckpoint asks the module to save epoch + 1', () => {
    const calls: [string, number, boolean | undefined][] = [];
    const mod = { saveCheckpoint: (p: string, e: number, s?: boolean) => void calls.push([p, e, s]) };
    const cb = moduleCheckpoint(mod, 'run/lm', 1, true);
    cb(0, undefined, {}, {});
    cb(4, undefined, {}, {});
    expect(calls).toEqual([
      ['run/lm', 1, true],
      ['run/lm', 5, true],
    ]);
    const every3 = moduleCheckpoint(mod, 'x', 3);
    for (let e = 0; e < 6; e++) every3(e, undefined, {}, {});
    expect(calls.slice(2)).toEqual([
      ['x', 3, false],
      ['x', 6, false],
    ]);
  });
});
