import { memoryStats, random, ShapeError } from '@bkt/ndarray';
import { Activation, Embedding, FullyConnected, Reshape, RNN, SoftmaxOutput, type Symbol, Variable } from '@bkt/symbol';
import { describe, expect, it } from 'vitest';

import { ARENA_ALIGN, Executor, planMemory } from '../src/index.js';
import { BUCKET_LM_GRAD_REQ, bucketLm } from './plan-harness.js';

describe('planMemory', () => {
  it('reuses a dead buffer and never overlaps buffers that live at the same time', () => {
    // a(0→1), b(1→2), c(2→3): a is dead when c is written, so c takes a's place.
    const plan = planMemory(
      [
        { bytes: 100, def: 0, lastUse: 1 },
        { bytes: 100, def: 1, lastUse: 2 },
        { bytes: 100, def: 2, lastUse: 3 },
      ],
      4,
    );
    expect(plan.offsets[2]).toBe(plan.offsets[0]);
    expect(plan.offsets[1]).not.toBe(plan.offsets[0]);
    expect(plan.arenaBytes).toBe(2 * 128);
    expect(plan.totalBytes).toBe(3 * 128);
    expect(ARENA_ALIGN).toBe(64);
  });

  it('hands an input buffer over to an in-place output', () => {
    const plan = planMemory(
      [
        { bytes: 64, def: 0, lastUse: 1 },
        { bytes: 64, def: 1, lastUse: 2, reuses: 0 },
        { bytes: 64, def: 1, lastUse: 2 },
      ],
      3,
    );
    expect(plan.offsets[1]).toBe(plan.offsets[0]);
    expect(plan.offsets[2]).not.toBe(plan.offsets[0]);
    expect(plan.arenaBytes).toBe(128);
  });

  it('refuses byte counts past 2^53 (an intermediate, or the arena they add up to) with ShapeError', () => {
    expect(() => planMemory([{ bytes: 2 ** 64, def: 0, lastUse: 0 }], 1)).toThrow(ShapeError);
    expect(() => planMemory([{ bytes: NaN, def: 0, lastUse: 0 }], 1)).toThrow(/bind: intermediate 0 needs NaN bytes/);
    const half = 2 ** 52 + 64;
    expect(() =>
      planMemory(
        [
          { bytes: half, def: 0, lastUse: 1 },
          { bytes: half, def: 1, lastUse: 1 },
        ],
        2,
      ),
    ).toThrow(/bind: the arena needs 9007199254741120 bytes; an arena holds at most 2\^53 bytes/);
  });
});

const arenaOf = (exec: Executor): { planned: number; total: number } => {
  const m = /arena: (\d+) bytes planned for \d+ intermediates and outputs of (\d+) bytes/.exec(exec.debugStr())!;
  return { planned: Number(m[1]), total: Number(m[2]) };
};

describe('executor memory plans', () => {
  it('runs element-wise ops in place', () => {
    let net: Symbol = FullyConnected({ data: Variable('data'), name: 'fc', numHidden: 256 });
    for (let i = 0; i < 4; i++) net = Activation({ data: net, name: `act${i}`, actType: 'tanh' });
    const exec = Executor.simpleBind(SoftmaxOutput({ data: net, name: 'sm' }), { shapes: { data: [64, 32] }, gradReq: 'null' });
    // fc's output and the four activations share one buffer of 64 x 256 float32; the softmax output,
    // which lives in the arena too, another.
    expect(arenaOf(exec).planned).toBe(2 * 64 * 256 * 4);
    expect(arenaOf(exec).total).toBe(6 * 64 * 256 * 4);
    exec.dispose();
  });

  it('plans the 2 x 200 LSTM LM at T = 60 into less than the sum of its intermediates', () => {
    const embed = Embedding({ data: Variable('data'), name: 'embed', inputDim: 10000, outputDim: 200 });
    const lstm = RNN({ data: embed, name: 'lstm', mode: 'lstm', stateSize: 200, numLayers: 2 });
    const pred = FullyConnected({ data: Reshape({ data: lstm, shape: [-1, 200] }), name: 'pred', numHidden: 10000 });
    const net = SoftmaxOutput({ data: pred, label: Reshape({ data: Variable('softmax_label'), shape: [-1] }), name: 'softmax' });
    const exec = Executor.simpleBind(net, {
      shapes: { data: [60, 32], softmax_label: [60, 32] },
      gradReq: { embed_weight: 'write', lstm_parameters: 'write', pred_weight: 'write', pred_bias: 'write' },
    });
    const text = exec.debugStr();
    expect(text).toContain('rnn_backward');
    const { planned, total } = arenaOf(exec);
    expect(planned).toBeLessThan(total);
    exec.dispose();
  });

  it('runs two bucket executors of different sequence lengths 100 times, alternating, without allocating', () => {
    const gradReq = BUCKET_LM_GRAD_REQ;
    const long = Executor.simpleBind(bucketLm(), { shapes: { data: [20, 4], softmax_label: [20, 4] }, gradReq });
    const short = Executor.simpleBind(bucketLm(), { shapes: { data: [7, 4], softmax_label: [7, 4] }, gradReq, sharedExec: long });
    expect(short.argDict.lstm_parameters).toBe(long.argDict.lstm_parameters);
    for (const e of [long, short]) {
      for (const name of ['data', 'softmax_label'])
        random.randint(0, 50, e.argDict[name]!.shape).astype('float32').copyTo(e.argDict[name]!);
    }
    random.uniform(-0.1, 0.1, long.argDict.lstm_parameters!.shape).copyTo(long.argDict.lstm_parameters!);
    const before = memoryStats();
    for (let i = 0; i < 100; i++) {
      const e = i % 2 === 0 ? long : short;
      e.forward({ isTrain: true });
      e.backward();
    }
    const after = memoryStats();
    expect(after.totalAllocations).toBe(before.totalAllocations);
    expect(after.liveBytes).toBe(before.liveBytes);
    short.dispose();
    long.dispose();
  });
});
