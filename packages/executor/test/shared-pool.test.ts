// Bucket executors (simpleBind with sharedExec) take their outputs, intermediates and inputs from the
// group's shared memory, as MXNet's GraphExecutor does with a shared executor and shared data arrays.
import { memoryStats, random, seed } from '@bkt/ndarray';
import { Activation, FullyConnected, Group, SoftmaxOutput, type Symbol, Variable } from '@bkt/symbol';
import { describe, expect, it } from 'vitest';

import { values } from '../../ndarray/test/helpers.js';
import { Executor } from '../src/index.js';
import { BUCKET_LM_GRAD_REQ, bucketLm } from './plan-harness.js';

const VOCAB = 50;
const BATCH = 4;

function bindBucket(t: number, shared?: Executor): Executor {
  return Executor.simpleBind(bucketLm(VOCAB), {
    shapes: { data: [t, BATCH], softmax_label: [t, BATCH] },
    gradReq: BUCKET_LM_GRAD_REQ,
    ...(shared ? { sharedExec: shared } : {}),
  });
}

function randomParams(exec: Executor): void {
  for (const [name, a] of Object.entries(exec.argDict)) {
    if (name !== 'data' && name !== 'softmax_label') random.uniform(-0.3, 0.3, a.shape).copyTo(a);
  }
}

function randomBatch(exec: Executor): void {
  for (const name of ['data', 'softmax_label']) {
    const a = exec.argDict[name]!;
    const ids = random.randint(0, VOCAB, a.shape);
    ids.astype('float32').copyTo(a);
    ids.dispose();
  }
}

/** Outputs and parameter gradients of a fresh, unshared executor given `exec`'s arguments. */
function standalone(
  exec: Executor,
  symbol: Symbol = bucketLm(VOCAB),
): { outputs: Float64Array[]; grads: Record<string, Float64Array> } {
  const ref = Executor.simpleBind(symbol, {
    shapes: { data: exec.argDict.data!.shape, softmax_label: exec.argDict.softmax_label!.shape },
    gradReq: BUCKET_LM_GRAD_REQ,
  });
  try {
    ref.copyParamsFrom(exec.argDict);
    ref.forward({ isTrain: true });
    ref.backward();
    return {
      outputs: ref.outputs.map(values),
      grads: Object.fromEntries(Object.entries(ref.gradDict).map(([n, g]) => [n, values(g)])),
    };
  } finally {
    ref.dispose();
  }
}

function expectClose(got: Float64Array, want: Float64Array, what: string): void {
  expect(got.length, what).toBe(want.length);
  let worst = 0;
  got.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - want[i]!) / (1e-4 + Math.abs(want[i]!)))));
  expect(worst, what).toBeLessThan(1e-4);
}

/** Runs a training step of `exec` on a new batch and checks it against a standalone executor. */
function stepMatchesStandalone(exec: Executor): void {
  randomBatch(exec);
  exec.forward({ isTrain: true });
  exec.backward();
  const want = standalone(exec);
  const t = exec.argDict.data!.shape[0];
  exec.outputs.forEach((o, i) => expectClose(values(o), want.outputs[i]!, `bucket ${t} output ${i}`));
  for (const [n, g] of Object.entries(exec.gradDict)) expectClose(values(g), want.grads[n]!, `bucket ${t} gradient of ${n}`);
}

const disposeAll = (execs: readonly Executor[]): void => [...execs].reverse().forEach((e) => e.dispose());

describe('bucket executors sharing memory', () => {
  it('allocate nothing beyond the default bucket when it is the largest', () => {
    const big = bindBucket(20);
    const before = memoryStats();
    const buckets = [7, 13, 1, 20].map((t) => bindBucket(t, big));
    const after = memoryStats();
    // Outputs and intermediates in the shared arena, data and label views of the default bucket's.
    expect(after.liveBytes - before.liveBytes).toBe(0);
    expect(after.totalAllocations - before.totalAllocations).toBe(0);
    for (const e of buckets) expect(e.arenaBytes).toBe(big.arenaBytes);
    disposeAll([big, ...buckets]);
  });

  it('compute, run in any order after all are bound, what a standalone executor computes', () => {
    seed(21);
    const big = bindBucket(20);
    const buckets = new Map([20, 7, 13].map((t) => [t, t === 20 ? big : bindBucket(t, big)]));
    randomParams(big);
    for (const t of [7, 20, 13, 7, 13, 20]) stepMatchesStandalone(buckets.get(t)!);
    disposeAll([...buckets.values()].reverse());
  });

  it('keep what a bucket computed, and its output arrays, when a larger bucket grows the arena', () => {
    seed(22);
    const small = bindBucket(7);
    randomParams(small);
    randomBatch(small);
    const want = standalone(small);
    small.forward({ isTrain: true });
    const held = small.outputs[0]!;
    const before = values(held);
    const arena = small.arenaBytes;
    const big = bindBucket(30, small);
    expect(small.arenaBytes).toBeGreaterThan(arena);
    // Binding ran nothing: the output (same array) and what forward kept for backward are intact, as in
    // MXNet, where the smaller executor keeps its own pool chunks.
    expect(small.outputs[0]).toBe(held);
    expect(values(held)).toEqual(before);
    small.backward();
    for (const [n, g] of Object.entries(small.gradDict))
      expectClose(values(g), want.grads[n]!, `gradient of ${n} across the growth`);
    stepMatchesStandalone(big);
    stepMatchesStandalone(small);
    expectClose(values(held), values(small.outputs[0]!), 'the held output array after the next step');
    disposeAll([small, big]);
  });

  it('keep an output to the end of the plan: later intermediates and gradients never take its bytes', () => {
    seed(23);
    const fc = FullyConnected({ data: Variable('data'), name: 'fc0', numHidden: 32 });
    let h: Symbol = fc;
    for (let i = 1; i <= 4; i++)
      h = Activation({ data: FullyConnected({ data: h, name: `fc${i}`, numHidden: 32 }), name: `act${i}`, actType: 'tanh' });
    const net = Group([fc, SoftmaxOutput({ data: h, name: 'sm' })]);
    const exec = Executor.simpleBind(net, { shapes: { data: [16, 32] } });
    for (const [name, a] of Object.entries(exec.argDict)) {
      if (name === 'sm_label') random.randint(0, 32, a.shape).astype('float32').copyTo(a);
      else random.uniform(-0.5, 0.5, a.shape).copyTo(a);
    }
    const alone = Executor.bind(fc, {
      args: { data: exec.argDict.data!, fc0_weight: exec.argDict.fc0_weight!, fc0_bias: exec.argDict.fc0_bias! },
      gradReq: 'null',
    });
    const want = values(alone.forward()[0]!);
    alone.dispose();
    exec.forward({ isTrain: true });
    expectClose(values(exec.outputs[0]!), want, 'fc0 output after forward');
    exec.backward();
    expectClose(values(exec.outputs[0]!), want, 'fc0 output after backward');
    exec.dispose();
  });

  it('share inputs as MXNet shares data arrays: a smaller bucket views the front, a larger one is new', () => {
    const big = bindBucket(20);
    const small = bindBucket(7, big);
    small.argDict.data!.fill(3);
    expect(
      values(big.argDict.data!)
        .slice(0, 7 * BATCH)
        .every((v) => v === 3),
    ).toBe(true);
    expect(values(big.argDict.data!)[7 * BATCH]).not.toBe(3);
    const larger = bindBucket(25, big);
    larger.argDict.data!.fill(5);
    expect(values(big.argDict.data!)[0]).toBe(3);
    // The larger array is the group's from now on: buckets bound later view it.
    const later = bindBucket(9, big);
    expect(values(later.argDict.data!).every((v) => v === 5)).toBe(true);
    disposeAll([big, small, larger, later]);
  });

  it('never views a parameter whose shape changed', () => {
    const mlp = (): Symbol =>
      SoftmaxOutput({ data: FullyConnected({ data: Variable('data'), name: 'fc', numHidden: 4 }), name: 'sm' });
    const wide = Executor.simpleBind(mlp(), { shapes: { data: [2, 8] } });
    const narrow = Executor.simpleBind(mlp(), { shapes: { data: [2, 4] }, sharedExec: wide });
    wide.argDict.fc_weight!.fill(1);
    narrow.argDict.fc_weight!.fill(2);
    expect(values(wide.argDict.fc_weight!).every((v) => v === 1)).toBe(true);
    disposeAll([wide, narrow]);
  });
});
