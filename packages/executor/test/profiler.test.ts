import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { cpu, type NDArray, profiler, random, StateError, ValueError } from '@bkt/ndarray';
import { Activation, FullyConnected, SoftmaxOutput, type Symbol, Variable } from '@bkt/symbol';
import { afterEach, describe, expect, it } from 'vitest';

import { compile } from '../src/compile.js';
import { Executor } from '../src/index.js';

function mlp(): Symbol {
  let net = FullyConnected({ data: Variable('data'), name: 'fc1', numHidden: 16 });
  net = Activation({ data: net, name: 'act1', actType: 'relu' });
  net = FullyConnected({ data: net, name: 'fc2', numHidden: 4 });
  return SoftmaxOutput({ data: net, name: 'softmax' });
}

function bindMlp(batch: number, sharedExec?: Executor): Executor {
  const exec = Executor.simpleBind(mlp(), { shapes: { data: [batch, 8] }, ...(sharedExec ? { sharedExec } : {}) });
  for (const [name, arr] of Object.entries(exec.argDict)) {
    const values: NDArray = name.endsWith('label')
      ? random.randint(0, 4, arr.shape).astype(arr.dtype)
      : random.uniform(-1, 1, arr.shape);
    values.copyTo(arr);
    values.dispose();
  }
  return exec;
}

/** What each operator name runs per forward and per backward, read from the compiled plan itself. */
function instructionCounts(batch: number): { forward: Map<string, number>; backward: Map<string, number> } {
  // As simpleBind's default: every argument's gradient written.
  const gradReq = Object.fromEntries(
    mlp()
      .listArguments()
      .map((a) => [a, 'write' as const]),
  );
  const g = compile(mlp(), { shapes: { data: [batch, 8] }, dtypes: {}, gradReq, ctx: cpu(0) });
  const forward = new Map<string, number>();
  const backward = new Map<string, number>();
  g.instructions.forEach((ins, pc) => {
    const m = pc < g.numForward ? forward : backward;
    const op = g.opNames[ins.node]!;
    m.set(op, (m.get(op) ?? 0) + 1);
  });
  return { forward, backward };
}

interface StatsJson {
  Time: { operator: Record<string, { Count: number; Total: number; Min: number; Max: number; Avg: number }> };
}
const stats = (reset = false): StatsJson['Time']['operator'] =>
  (JSON.parse(profiler.dumps({ format: 'json', reset })) as StatsJson).Time.operator;

afterEach(() => {
  profiler.setState('stop');
  profiler.resume();
  profiler.setConfig();
});

describe('profiler over compiled plans', () => {
  it('counts every instruction the plan runs under its operator name, forward and backward apart', () => {
    const exec = bindMlp(5);
    const n = 7;
    profiler.setConfig({ aggregateStats: true });
    profiler.setState('run');
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      exec.forward({ isTrain: true });
      exec.backward();
    }
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    profiler.setState('stop');
    const s = stats();
    const { forward, backward } = instructionCounts(5);
    expect(forward.get('FullyConnected')).toBe(2);
    expect(backward.get('_backward_FullyConnected')).toBe(2);
    const expected = new Map<string, number>();
    for (const m of [forward, backward]) for (const [op, c] of m) expected.set(op, (expected.get(op) ?? 0) + c * n);
    expect(Object.fromEntries(Object.entries(s).map(([op, v]) => [op, v.Count]))).toEqual(Object.fromEntries(expected));
    let total = 0;
    for (const v of Object.values(s)) {
      expect(v.Min).toBeGreaterThanOrEqual(0);
      expect(v.Max).toBeGreaterThanOrEqual(v.Min);
      expect(v.Avg).toBeCloseTo(v.Total / v.Count, 6);
      total += v.Total;
    }
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(wallMs);
  });

  it('records nothing while stopped or paused, and forward-only runs have no backward ops', () => {
    const exec = bindMlp(3);
    profiler.setConfig({ aggregateStats: true });
    exec.forward();
    expect(stats()).toEqual({});
    profiler.setState('run');
    profiler.pause();
    exec.forward();
    expect(stats()).toEqual({});
    profiler.resume();
    exec.forward();
    profiler.setState('stop');
    exec.forward();
    const s = stats();
    expect(s['FullyConnected']?.Count).toBe(2);
    expect(s['_backward_FullyConnected']).toBeUndefined();
  });

  it('profileSymbolic: false leaves plans untimed', () => {
    const exec = bindMlp(3);
    profiler.setConfig({ aggregateStats: true, profileSymbolic: false });
    profiler.setState('run');
    exec.forward();
    expect(stats()).toEqual({});
  });

  it('dumps with reset starts the statistics again', () => {
    const exec = bindMlp(3);
    profiler.setConfig({ aggregateStats: true });
    profiler.setState('run');
    exec.forward();
    exec.forward();
    expect(stats(true)['FullyConnected']?.Count).toBe(4);
    exec.forward();
    expect(stats()['FullyConnected']?.Count).toBe(2);
    expect(stats()['FullyConnected']?.Count).toBe(2);
  });

  it('adds up the executors of several buckets sharing one arena', () => {
    const big = bindMlp(6);
    const small = bindMlp(2, big);
    profiler.setConfig({ aggregateStats: true });
    profiler.setState('run');
    big.forward({ isTrain: true });
    big.backward();
    small.forward({ isTrain: true });
    small.backward();
    small.forward();
    expect(stats()['FullyConnected']?.Count).toBe(6);
    expect(stats()['_backward_FullyConnected']?.Count).toBe(4);
  });

  it('sorts the table by the chosen statistic', () => {
    const exec = bindMlp(3);
    profiler.setConfig({ aggregateStats: true });
    profiler.setState('run');
    exec.forward({ isTrain: true });
    exec.backward();
    exec.forward();
    const table = profiler.dumps({ sortBy: 'count' });
    expect(table).toContain('Profile Statistics:');
    expect(table).toMatch(/Name\s+Total Count\s+Time \(ms\)\s+Min Time \(ms\)\s+Max Time \(ms\)\s+Avg Time \(ms\)/);
    const rows = table
      .split('\n')
      .filter((l) => /^\S+\s+\d+\s+\d+\.\d{4}/.test(l))
      .map((l) => ({ name: l.split(/\s+/)[0]!, count: Number(l.split(/\s+/)[1]) }));
    expect(rows[0]).toEqual({ name: 'FullyConnected', count: 4 });
    const counts = rows.map((r) => r.count);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    const ascending = profiler
      .dumps({ sortBy: 'count', ascending: true })
      .split('\n')
      .filter((l) => /^\S+\s+\d+\s+\d+\.\d{4}/.test(l))
      .map((l) => Number(l.split(/\s+/)[1]));
    expect(ascending).toEqual([...counts].sort((a, b) => a - b));
  });

  it('dump writes a chrome://tracing file with a begin and an end event per operator call', () => {
    const file = join(tmpdir(), `bkt-profile-${process.pid}-${Date.now()}.json`);
    try {
      const exec = bindMlp(3);
      profiler.setConfig({ filename: file });
      profiler.setState('run');
      exec.forward({ isTrain: true });
      exec.backward();
      profiler.setState('stop');
      profiler.dump();
      const trace = JSON.parse(readFileSync(file, 'utf8')) as {
        traceEvents: { name: string; ph: string; ts?: number; args?: { node?: string } }[];
      };
      const ops = trace.traceEvents.filter((e) => e.ph !== 'M');
      const begins = ops.filter((e) => e.ph === 'B');
      const ends = ops.filter((e) => e.ph === 'E');
      expect(begins.length).toBe(ends.length);
      expect(begins.filter((e) => e.name === 'FullyConnected').length).toBe(2);
      expect(begins.filter((e) => e.name === '_backward_FullyConnected').length).toBe(2);
      expect(begins.map((e) => e.args?.node)).toContain("FullyConnected 'fc1'");
      for (let i = 0; i < ops.length; i += 2) {
        expect(ops[i]!.ph).toBe('B');
        expect(ops[i + 1]!.ph).toBe('E');
        expect(ops[i + 1]!.name).toBe(ops[i]!.name);
        expect(ops[i + 1]!.ts!).toBeGreaterThanOrEqual(ops[i]!.ts!);
        if (i > 0) expect(ops[i]!.ts!).toBeGreaterThanOrEqual(ops[i - 1]!.ts!);
      }
    } finally {
      rmSync(file, { force: true });
    }
  });
});

describe('profiler options', () => {
  it('refuses unknown keys, wrong types and calls out of state with typed errors', () => {
    expect(() => profiler.setConfig({ profileAl: true } as never)).toThrow(ValueError);
    expect(() => profiler.setConfig({ profile_all: true } as never)).toThrow(/unknown option 'profile_all'/);
    expect(() => profiler.setConfig({ aggregateStats: 1 } as never)).toThrow(ValueError);
    expect(() => profiler.setConfig({ filename: '' })).toThrow(ValueError);
    expect(() => profiler.setConfig({ filename: 3 } as never)).toThrow(ValueError);
    expect(() => profiler.setState('start' as never)).toThrow(ValueError);
    expect(() => profiler.dumps()).toThrow(StateError);
    profiler.setConfig({ aggregateStats: true });
    expect(() => profiler.dumps({ format: 'csv' } as never)).toThrow(ValueError);
    expect(() => profiler.dumps({ sortBy: 'mean' } as never)).toThrow(ValueError);
    expect(() => profiler.dumps({ reset: 'yes' } as never)).toThrow(ValueError);
    expect(() => profiler.dumps({ sort_by: 'avg' } as never)).toThrow(ValueError);
    profiler.setState('run');
    expect(() => profiler.setConfig({ aggregateStats: true })).toThrow(StateError);
    expect(profiler.getState()).toBe('run');
  });
});
