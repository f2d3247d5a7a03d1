import { BindError, cpu, type Context, memoryStats, type NDArray, ones, random, seed, zeros } from '@bkt/ndarray';
import { Activation, FullyConnected, SoftmaxOutput, type Symbol, Variable, withAttrScope } from '@bkt/symbol';
import { describe, expect, it } from 'vitest';

import { Executor } from '../src/index.js';

// fc1 + tanh on group dev1, fc2 + softmax on dev2; the label is declared outside any group.
function twoGroupMlp(): Symbol {
  const label = Variable('softmax_label');
  const hidden = withAttrScope({ ctx_group: 'dev1' }, () =>
    Activation({ data: FullyConnected({ data: Variable('data'), name: 'fc1', numHidden: 6 }), name: 'act1', actType: 'tanh' }),
  );
  return withAttrScope({ ctx_group: 'dev2' }, () =>
    SoftmaxOutput({ data: FullyConnected({ data: hidden, name: 'fc2', numHidden: 3 }), label, name: 'softmax' }),
  );
}

// MXNet's test_module_ctx_group symbol: a*2 on dev1, + b on dev2.
function scaledSum(): Symbol {
  const a2 = withAttrScope({ ctx_group: 'dev1' }, () => Variable('a').mul(2));
  return withAttrScope({ ctx_group: 'dev2' }, () => a2.add(Variable('b')));
}

const GROUPS = { dev1: cpu(1), dev2: cpu(2) };

function fillSame(execs: readonly Executor[], classes = 3): void {
  for (const name of Object.keys(execs[0]!.argDict)) {
    const arr = execs[0]!.argDict[name]!;
    const values = name.endsWith('label')
      ? random.randint(0, classes, arr.shape, { dtype: 'int32' }).astype(arr.dtype)
      : random.uniform(-1, 1, arr.shape, { dtype: arr.dtype });
    for (const e of execs) values.copyTo(e.argDict[name]!);
    values.dispose();
  }
}

const values = (a: NDArray): number[] => Array.from(a.toArray(), Number);
const ctxOf = (dict: Record<string, NDArray>): Record<string, string> =>
  Object.fromEntries(Object.entries(dict).map(([k, v]) => [k, String(v.context)]));

describe('group2ctx (model parallelism)', () => {
  it('gives the outputs and gradients of the ungrouped executor, with arrays on the mapped contexts', () => {
    seed(3);
    const shapes = { data: [4, 5], softmax_label: [4] };
    const plain = Executor.simpleBind(twoGroupMlp(), { shapes });
    const grouped = Executor.simpleBind(twoGroupMlp(), { shapes, group2ctx: GROUPS });
    fillSame([plain, grouped]);
    for (let step = 0; step < 2; step++) {
      plain.forward({ isTrain: true });
      grouped.forward({ isTrain: true });
      plain.backward();
      grouped.backward();
      expect(values(grouped.outputs[0]!)).toEqual(values(plain.outputs[0]!));
      for (const [name, g] of Object.entries(plain.gradDict)) expect(values(grouped.gradDict[name]!), name).toEqual(values(g));
    }
    expect(ctxOf(grouped.argDict)).toEqual({
      data: 'cpu(1)',
      fc1_weight: 'cpu(1)',
      fc1_bias: 'cpu(1)',
      fc2_weight: 'cpu(2)',
      fc2_bias: 'cpu(2)',
      softmax_label: 'cpu(0)',
    });
    const gradCtx = ctxOf(grouped.gradDict);
    for (const [name, c] of Object.entries(gradCtx)) expect(c, name).toBe(String(grouped.argDict[name]!.context));
    expect(String(grouped.outputs[0]!.context)).toBe('cpu(2)');
    expect(Object.values(ctxOf(plain.argDict)).every((c) => c === 'cpu(0)')).toBe(true);
    expect(grouped.debugStr()).toMatch(/_CrossDeviceCopy of temp 'act1_output0' from cpu\(1\) to cpu\(2\)/);
    expect(plain.debugStr()).not.toMatch(/_CrossDeviceCopy/);
    plain.dispose();
    grouped.dispose();
  });

  it('runs every node on its context, its intermediates in that context arena', () => {
    seed(4);
    const exec = Executor.simpleBind(twoGroupMlp(), { shapes: { data: [2, 5], softmax_label: [2] }, group2ctx: GROUPS });
    fillSame([exec]);
    const seen = new Map<string, Context>();
    exec.setMonitorCallback((name, a) => seen.set(name, a.context), true);
    exec.forward({ isTrain: true });
    exec.backward();
    const at = (name: string): string => String(seen.get(name));
    expect(at('fc1_output')).toBe('cpu(1)');
    expect(at('act1_output')).toBe('cpu(1)');
    expect(at('fc2_data')).toBe('cpu(2)');
    expect(at('softmax_label')).toBe('cpu(2)');
    expect(at('fc1_backward_input0')).toBe('cpu(1)');
    expect(exec.debugStr()).toMatch(/arena on cpu\(1\): \d+ bytes/);
    exec.dispose();
  });

  it('copies head gradients and input gradients across contexts (test_module_ctx_group symbol)', () => {
    const shapes = { a: [2, 5], b: [2, 5] };
    const plain = Executor.simpleBind(scaledSum(), { shapes });
    const grouped = Executor.simpleBind(scaledSum(), { shapes, group2ctx: GROUPS });
    seed(8);
    fillSame([plain, grouped]);
    const head = random.uniform(-1, 1, [2, 5]);
    for (const e of [plain, grouped]) {
      e.forward({ isTrain: true });
      e.backward([head]);
    }
    expect(values(grouped.outputs[0]!)).toEqual(values(plain.outputs[0]!));
    expect(values(grouped.gradDict.a!)).toEqual(values(head).map((h) => Math.fround(h * 2)));
    expect(values(grouped.gradDict.b!)).toEqual(values(plain.gradDict.b!));
    expect(String(grouped.gradDict.a!.context)).toBe('cpu(1)');
    expect(String(grouped.gradDict.b!.context)).toBe('cpu(2)');
    head.dispose();
    plain.dispose();
    grouped.dispose();
  });

  it("accumulates with gradReq 'add' into an argument that lives on another context than its reader", () => {
    const w = Variable('w');
    const net = withAttrScope({ ctx_group: 'dev1' }, () => Variable('x').mul(w));
    const exec = Executor.simpleBind(net, { shapes: { x: [3], w: [3] }, gradReq: 'add', group2ctx: { dev1: cpu(1) } });
    expect(String(exec.argDict.w!.context)).toBe('cpu(0)');
    expect(String(exec.gradDict.w!.context)).toBe('cpu(0)');
    expect(String(exec.gradDict.x!.context)).toBe('cpu(1)');
    random.uniform(1, 2, [3]).copyTo(exec.argDict.x!);
    ones([3]).copyTo(exec.argDict.w!);
    for (let i = 0; i < 2; i++) {
      exec.forward({ isTrain: true });
      exec.backward(ones([3], { ctx: cpu(1) }));
    }
    expect(values(exec.gradDict.w!)).toEqual(values(exec.argDict.x!).map((x) => Math.fround(2 * x)));
    expect(values(exec.gradDict.x!)).toEqual([2, 2, 2]);
    exec.dispose();
  });

  it('raises BindError for a ctx group that group2ctx does not map', () => {
    expect(() => Executor.simpleBind(scaledSum(), { shapes: { a: [2, 5], b: [2, 5] }, group2ctx: { dev1: cpu(1) } })).toThrow(
      /ctx group 'dev2', which group2ctx does not map/,
    );
    expect(() => Executor.simpleBind(scaledSum(), { shapes: { a: [2, 5], b: [2, 5] }, group2ctx: { dev1: cpu(1) } })).toThrow(
      BindError,
    );
  });

  it('bind() takes arrays on their group contexts and rejects arrays elsewhere', () => {
    const a = ones([2, 5], { ctx: cpu(1) });
    const b = ones([2, 5], { ctx: cpu(2) });
    const exec = Executor.bind(scaledSum(), { args: { a, b }, group2ctx: GROUPS });
    exec.forward();
    expect(values(exec.outputs[0]!)).toEqual(new Array(10).fill(3));
    expect(String(exec.gradDict.a!.context)).toBe('cpu(1)');
    exec.dispose();
    const misplaced = zeros([2, 5]);
    expect(() => Executor.bind(scaledSum(), { args: { a, b: misplaced }, group2ctx: GROUPS })).toThrow(
      /argument 'b' lives on cpu\(0\), but its node runs on cpu\(2\)/,
    );
    expect(() => Executor.bind(scaledSum(), { args: { a, b }, argsGrad: { a: zeros([2, 5]) }, group2ctx: GROUPS })).toThrow(
      BindError,
    );
    for (const x of [a, b, misplaced]) x.dispose();
  });

  it('shares parameters and each context arena with sharedExec, and then allocates nothing', () => {
    seed(9);
    const big = Executor.simpleBind(twoGroupMlp(), { shapes: { data: [16, 5], softmax_label: [16] }, group2ctx: GROUPS });
    const small = Executor.simpleBind(twoGroupMlp(), {
      shapes: { data: [4, 5], softmax_label: [4] },
      group2ctx: GROUPS,
      sharedExec: big,
    });
    expect(small.argDict.fc1_weight).toBe(big.argDict.fc1_weight);
    expect(small.gradDict.fc2_weight).toBe(big.gradDict.fc2_weight);
    expect(small.arenaBytes).toBe(big.arenaBytes);
    fillSame([big]);
    fillSame([small]);
    const reshaped = small.reshape({ data: [8, 5], softmax_label: [8] });
    expect(String(reshaped.argDict.fc2_bias!.context)).toBe('cpu(2)');
    expect(reshaped.argDict.fc2_bias).toBe(big.argDict.fc2_bias);
    const before = memoryStats();
    for (let i = 0; i < 20; i++) {
      const e = [big, small, reshaped][i % 3]!;
      e.forward({ isTrain: true });
      e.backward();
    }
    const after = memoryStats();
    expect(after.totalAllocations).toBe(before.totalAllocations);
    for (const e of [reshaped, small, big]) e.dispose();
  });
});
