// Allreduce bandwidth of the default language model's gradients against this machine's memory-copy
// rate, measured in the same run. Start it on 2 ranks:
//   bkt-launch -n 2 -- node --conditions=source --import tsx packages/kvstore/bench/allreduce.ts
// Rank 0 prints one JSON object. The gradients are the default `bkt-train lm` model's (2 × 200 LSTM,
// embed 200, vocabulary 2,000): ≈ 1.45 M float32, ≈ 5.8 MB, summed in one pushPull as Module.update does.
import { random, zeros } from '@bkt/ndarray';

import { create } from '../src/index.js';

const VOCAB = 2000;
const H = 200;
const shapes: Record<string, number[]> = {
  embed_weight: [VOCAB, H],
  lstm_l0_parameters: [4 * H * (H + H) + 8 * H],
  lstm_l1_parameters: [4 * H * (H + H) + 8 * H],
  pred_weight: [VOCAB, H],
  pred_bias: [VOCAB],
};
const REPEATS = 50;

const kv = create('dist_sync');
// The LM's five parameters, pushed and pulled in one call (one fused message); then one flat key of
// the same size, a barrier (the latency of a small collective) and the copy rates.
const names = Object.keys(shapes);
kv.init(
  names,
  names.map((n) => zeros(shapes[n]!)),
);
const grads = names.map((n) => random.uniform(-1, 1, shapes[n]!));
const outs = names.map((n) => zeros(shapes[n]!));
const bytes = grads.reduce((s, g) => s + g.size * 4, 0);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
function time(fn: () => void): number {
  fn(); // warm-up: fused buffers, first messages
  const ms: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t = performance.now();
    fn();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

kv.init('flat', zeros([bytes / 4]));
const flat = random.uniform(-1, 1, [bytes / 4]);
const flatOut = zeros([bytes / 4]);
kv.barrier();
const pushPullMs = time(() => kv.pushPull(names, grads, outs));
const flatMs = time(() => kv.pushPull('flat', flat, flatOut));
const barrierMs = time(() => kv.barrier());
// The memory-copy rate: one copy of the same bytes (what a shared-memory transport must at least do),
// and of 64 MB, beyond the caches.
const copyMs = time(() => flat.copyTo(flatOut));
const big = zeros([16 * 1024 * 1024]);
const bigOut = zeros([16 * 1024 * 1024]);
const bigCopyMs = time(() => big.copyTo(bigOut));
kv.barrier();
if (kv.rank === 0) {
  const gbps = (ms: number): number => +(bytes / (ms / 1000) / 1e9).toFixed(2);
  console.log(
    JSON.stringify({
      ranks: kv.numWorkers,
      gradientBytes: bytes,
      pushPullMs: +pushPullMs.toFixed(3),
      pushPullGBps: gbps(pushPullMs),
      memcpyMs: +copyMs.toFixed(3),
      memcpyGBps: gbps(copyMs),
      pushPullOverMemcpy: +(pushPullMs / copyMs).toFixed(2),
      oneKeyPushPullMs: +flatMs.toFixed(3),
      barrierMs: +barrierMs.toFixed(3),
      memcpy64MBGBps: +((64 * 1024 * 1024) / (bigCopyMs / 1000) / 1e9).toFixed(2),
    }),
  );
}
kv.dispose();
