// Binding stays linear in graph size (issue 11, item 3). Budgets are generous for a loaded 2-core
// machine; the code they replace took 50 s to bind SliceChannel with 300 outputs and grew faster
// than quadratically, so it could not bind the SliceChannel graphs below, nor plan the fragmented
// arena, in any budget.
import { array } from '@bkt/ndarray';
import { Activation, Concat, Group, SliceChannel, type Symbol, Variable } from '@bkt/symbol';
import { describe, expect, it } from 'vitest';

import { Executor, planMemory, type TempBuffer } from '../src/index.js';

const N = 100_000;
const BUDGET_MS = 30_000;

function timed<T>(fn: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t0 };
}

describe('binding graphs of 10^5 entries', () => {
  it('binds SliceChannel with 10^5 outputs (all of them outputs) and runs it', () => {
    const sl = SliceChannel({ data: Variable('data'), numOutputs: N, axis: 1, name: 'sl' });
    const { value: exec, ms } = timed(() => Executor.simpleBind(sl, { shapes: { data: [1, N] }, gradReq: 'null' }));
    expect(ms).toBeLessThan(BUDGET_MS);
    array([Array.from({ length: N }, (_, i) => i)]).copyTo(exec.argDict.data!);
    const outs = exec.forward();
    expect(outs).toHaveLength(N);
    expect([...outs[0]!.toTypedArray()]).toEqual([0]);
    expect([...outs[N - 1]!.toTypedArray()]).toEqual([N - 1]);
    exec.dispose();
  }, 180_000);

  it('binds a SliceChannel -> Concat round trip of 10^5 intermediates, with gradients, and runs it', () => {
    const sl = SliceChannel({ data: Variable('data'), numOutputs: N, axis: 1, name: 'sl' });
    const cat = Concat({ data: Array.from({ length: N }, (_, i) => sl.at(i)), dim: 1, name: 'cat' });
    const { value: exec, ms } = timed(() => Executor.simpleBind(cat, { shapes: { data: [1, N] }, gradReq: 'write' }));
    expect(ms).toBeLessThan(2 * BUDGET_MS);
    const x = array([Array.from({ length: N }, (_, i) => (i % 7) - 3)]);
    x.copyTo(exec.argDict.data!);
    const [y] = exec.forward({ isTrain: true });
    expect([...y!.toTypedArray()]).toEqual([...x.toTypedArray()]);
    exec.backward(array([Array.from({ length: N }, (_, i) => i)]));
    expect(exec.gradDict.data!.toTypedArray()[N - 1]).toBe(N - 1);
    exec.dispose();
    x.dispose();
  }, 180_000);

  // Scale tests: these shapes were not quadratic before, but 10^5-node graphs must stay in reach.
  it('binds a chain of 10^5 nodes', () => {
    let chain: Symbol = Variable('data');
    for (let i = 0; i < N; i++) chain = Activation({ data: chain, actType: 'relu', name: `a${i}` });
    const { value: exec, ms } = timed(() => Executor.simpleBind(chain, { shapes: { data: [2, 3] }, gradReq: 'null' }));
    expect(ms).toBeLessThan(2 * BUDGET_MS);
    array([
      [-1, 2, -3],
      [4, -5, 6],
    ]).copyTo(exec.argDict.data!);
    expect([...exec.forward()[0]!.toTypedArray()]).toEqual([0, 2, 0, 4, 0, 6]);
    exec.dispose();
  }, 180_000);

  it('binds a group of 10^5 outputs', () => {
    const data = Variable('data');
    const wide = Group(Array.from({ length: N }, (_, i) => Activation({ data, actType: 'tanh', name: `t${i}` })));
    const { value: exec, ms } = timed(() => Executor.simpleBind(wide, { shapes: { data: [2, 3] }, gradReq: 'null' }));
    expect(ms).toBeLessThan(2 * BUDGET_MS);
    expect(exec.outputs).toHaveLength(N);
    exec.dispose();
  }, 180_000);
});

describe('planMemory on many buffers', () => {
  // A seeded generator, so a failure reproduces.
  const lcg = (seed: number) => (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };

  it('never gives two buffers alive at the same time overlapping bytes', () => {
    const rand = lcg(7);
    const n = 5000;
    const temps: TempBuffer[] = Array.from({ length: n }, (_, i) => {
      const def = Math.floor(i / 3);
      return { bytes: 64 * (1 + Math.floor(rand() * 8)), def, lastUse: def + Math.floor(rand() * 40) };
    });
    const plan = planMemory(temps, n);
    const size = (t: TempBuffer): number => Math.ceil(t.bytes / 64) * 64;
    for (let i = 0; i < n; i++) {
      expect(plan.offsets[i]! + size(temps[i]!)).toBeLessThanOrEqual(plan.arenaBytes);
      for (let j = i + 1; j < n && temps[j]!.def <= temps[i]!.lastUse; j++) {
        const apart =
          plan.offsets[i]! + size(temps[i]!) <= plan.offsets[j]! || plan.offsets[j]! + size(temps[j]!) <= plan.offsets[i]!;
        if (!apart) expect.fail(`buffers ${i} and ${j} overlap while both are alive`);
      }
    }
    expect(plan.arenaBytes).toBeLessThan(plan.totalBytes / 10);
  });

  it('plans 10^5 buffers freed in an interleaved order quickly', () => {
    // Every other buffer dies early: the free space fragments into 5 * 10^4 separate blocks.
    const temps: TempBuffer[] = Array.from({ length: N }, (_, i) => ({ bytes: 64, def: 0, lastUse: i % 2 === 0 ? 1 : 3 }));
    for (let i = 0; i < N / 2; i++) temps.push({ bytes: 64, def: 2, lastUse: 3 });
    const { value: plan, ms } = timed(() => planMemory(temps, 4));
    expect(plan.arenaBytes).toBe(N * 64);
    expect(ms).toBeLessThan(BUDGET_MS / 10);
  });
});
