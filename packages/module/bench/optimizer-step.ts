// The optimizer step of a training step on the LSTM language model of MXNet's lstm_bucketing.py
// (Embedding 200 → 2 × LSTMCell 200 unrolled → FullyConnected V → SoftmaxOutput, batch 32): Module.update
// as it runs (one multi-tensor native call for all parameters) against the same updater driven one
// parameter at a time (one native call per parameter and device, the path before multiUpdate).
//   pnpm --filter @bkt/module bench:optimizer-step -- [--steps 30] [--seq-len 20] [--vocab 10000]
//       [--optimizer sgd|adam] [--devices 1]
// Prints one JSON line per path with the native optimizer calls per step and the median times (ms) of
// update() and of forwardBackward(). Every step runs forwardBackward once and then one update by each
// path, in alternating order, so a shared machine's load falls on both alike.
import * as nd from '@bkt/ndarray';

import { unrolledLM } from '../../executor/bench/unrolled-lm.js';
import { countUpdateCalls } from '../../ndarray/test/native-calls.js';
import { DataBatch, Module, Uniform } from '../src/index.js';
import { oneByOne } from '../test/one-by-one.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const optimizerArg = process.argv.includes('--optimizer') ? process.argv[process.argv.indexOf('--optimizer') + 1]! : 'sgd';
const STEPS = arg('steps', 30);
const T = arg('seq-len', 20);
const V = arg('vocab', 10000);
const DEVICES = arg('devices', 1);
const N = 32;
const H = 200;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const context = Array.from({ length: DEVICES }, (_, i) => nd.cpu(i));
const mod = new Module(unrolledLM({ seqLen: T, vocab: V, embed: H, hidden: H, layers: 2 }), { context, logger: () => {} });
mod.bind([['data', [N, T]]], [['softmax_label', [N, T]]]);
nd.seed(0);
mod.initParams({ initializer: new Uniform(0.1) });
mod.initOptimizer({
  kvstore: null,
  optimizer: optimizerArg,
  optimizerParams: optimizerArg === 'sgd' ? { learningRate: 0.1, momentum: 0.9, wd: 1e-5 } : { learningRate: 0.001 },
});
const tokens = (): nd.NDArray => nd.random.randint(1, V, [N, T]).astype('float32');
const batch = new DataBatch([tokens()], [tokens()]);
const updater = mod.updater!;
const numParams = Object.keys(mod.getParams()[0]).length;

const paths = ['multi-tensor', 'per-parameter'] as const;
const byPath = { 'multi-tensor': () => {}, 'per-parameter': () => oneByOne(updater) };
const calls: Record<string, number> = {};
const updateMs: Record<string, number[]> = { 'multi-tensor': [], 'per-parameter': [] };
const forwardBackwardMs: number[] = [];
for (let i = 0; i < 2; i++) {
  mod.forwardBackward(batch);
  mod.update();
}
for (const path of paths) {
  const undo = byPath[path]() ?? (() => {});
  calls[path] = Object.values(countUpdateCalls(() => mod.update())).reduce((a, b) => a + b, 0);
  undo();
}
// Each step times forwardBackward once and then an update by each path, the order alternating.
for (let s = 0; s < STEPS; s++) {
  const t0 = performance.now();
  mod.forwardBackward(batch);
  forwardBackwardMs.push(performance.now() - t0);
  for (const path of s % 2 === 0 ? paths : [...paths].reverse()) {
    const undo = byPath[path]() ?? (() => {});
    const t1 = performance.now();
    mod.update();
    updateMs[path]!.push(performance.now() - t1);
    undo();
  }
}
for (const path of paths) {
  console.log(
    JSON.stringify({
      path,
      optimizer: optimizerArg,
      devices: DEVICES,
      parameters: numParams,
      native_optimizer_calls_per_step: calls[path],
      update_ms_median: Number(median(updateMs[path]!).toFixed(3)),
      forward_backward_ms_median: Number(median(forwardBackwardMs).toFixed(2)),
      steps: STEPS,
    }),
  );
}
