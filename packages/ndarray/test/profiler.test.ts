// The profiler's imperative side (fused optimizer updates, other native calls) and plans built by hand;
// executor plans are profiled in @bkt/executor's profiler.test.ts.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterEach, describe, expect, it } from 'vitest';

import { add, BindError, fromTypedArray, full, multiUpdate, ones, profiler, sgdMomUpdate, zeros } from '../src/index.js';
import { Plan } from '../src/internal.js';

interface StatsJson {
  Time: { operator: Record<string, { Count: number; Total: number }> };
}
const counts = (): Record<string, number> =>
  Object.fromEntries(
    Object.entries((JSON.parse(profiler.dumps({ format: 'json' })) as StatsJson).Time.operator).map(([op, s]) => [op, s.Count]),
  );

afterEach(() => {
  profiler.setState('stop');
  profiler.setConfig();
});

const param = () => ({ weight: zeros([64]), grad: full([64], 0.5), mom: zeros([64]) });

describe('profiler on imperative calls', () => {
  it('times each fused optimizer update under its MXNet name, batched ones as multi_*', () => {
    const a = param();
    const b = param();
    profiler.setConfig({ aggregateStats: true });
    profiler.setState('run');
    for (let i = 0; i < 3; i++) sgdMomUpdate(a.weight, a.grad, a.mom, { lr: 0.1, momentum: 0.9 });
    const item = (p: typeof a) => ({ weight: p.weight, grad: p.grad, states: [p.mom], opts: { lr: 0.1, momentum: 0.9 } });
    multiUpdate('sgdMomUpdate', [item(a), item(b)]);
    expect(counts()).toEqual({ sgd_mom_update: 3, multi_sgd_mom_update: 1 });
  });

  it('times every other native call under its JS name, and never the plan runner or the profiler itself', () => {
    const a = zeros([4]);
    const b = ones([4]);
    const plan = new Plan([{ kernel: 'copy', inputs: [0], outputs: [1], attrs: [], node: 0 }], ['copy a'], 2, {
      opNames: ['_copy'],
    });
    plan.setSlot(0, a);
    plan.setSlot(1, b);
    profiler.setConfig({ aggregateStats: true });
    profiler.setState('run');
    const c = add(a, b);
    add(c, b).dispose();
    c.toArray();
    plan.run(0, 1, false);
    profiler.dumps();
    expect(counts()).toEqual({ binaryOp: 2, dispose: 1, toBuffer: 1, _copy: 1 });
  });

  it('records no native call when imperative profiling is off, nor a call that fails', () => {
    const a = param();
    const short = zeros([3]);
    profiler.setConfig({ aggregateStats: true, profileImperative: false });
    profiler.setState('run');
    sgdMomUpdate(a.weight, a.grad, a.mom, { lr: 0.1, momentum: 0.9 });
    add(a.weight, a.grad).dispose();
    expect(counts()).toEqual({});
    profiler.setState('stop');
    profiler.setConfig({ aggregateStats: true });
    profiler.setState('run');
    expect(() => sgdMomUpdate(a.weight, short, a.mom, { lr: 0.1, momentum: 0.9 })).toThrow();
    expect(() => add(a.weight, short)).toThrow();
    expect(counts()).toEqual({});
  });

  it('profileAll times updates even with profileImperative: false', () => {
    const a = param();
    profiler.setConfig({ aggregateStats: true, profileAll: true, profileImperative: false });
    profiler.setState('run');
    sgdMomUpdate(a.weight, a.grad, a.mom, { lr: 0.1, momentum: 0.9 });
    expect(counts()).toEqual({ sgd_mom_update: 1 });
  });
});

describe('profiler on plans built by hand', () => {
  it('names instructions by their opNames, or by the node names without them', () => {
    const code = [
      { kernel: 'copy' as const, inputs: [0], outputs: [1], attrs: [], node: 0 },
      { kernel: 'copy' as const, inputs: [1], outputs: [2], attrs: [], node: 1 },
      { kernel: 'copy' as const, inputs: [2], outputs: [1], attrs: [], node: 1 },
    ];
    const named = new Plan(code, ['first', 'second'], 3, { opNames: ['_copy', '_CrossDeviceCopy'] });
    const plain = new Plan(code, ['first', 'second'], 3);
    for (const p of [named, plain]) {
      p.setSlot(0, fromTypedArray(Float32Array.of(1, 2), [2]));
      p.setSlot(1, zeros([2]));
      p.setSlot(2, zeros([2]));
    }
    profiler.setConfig({ aggregateStats: true });
    profiler.setState('run');
    named.run(0, 3, false);
    plain.run(0, 3, false);
    plain.run(1, 2, false);
    expect(counts()).toEqual({ _copy: 1, _CrossDeviceCopy: 2, first: 1, second: 3 });
  });

  it('refuses a plan whose operator names do not match its node names', () => {
    const code = [{ kernel: 'copy' as const, inputs: [0], outputs: [1], attrs: [], node: 0 }];
    expect(() => new Plan(code, ['first'], 2, { opNames: [] })).toThrow(BindError);
  });
});

describe('profiler per environment', () => {
  it("keeps a Worker's state and events apart from the main thread's", async () => {
    const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/profiler-per-environment.ts');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', fixture], { timeout: 60_000 });
    expect(JSON.parse(stdout)).toEqual({
      worker: { stateAtStart: 'stop', beforeRun: {}, running: { sgd_mom_update: 3 } },
      main: { sgd_mom_update: 2 },
    });
  });
});
