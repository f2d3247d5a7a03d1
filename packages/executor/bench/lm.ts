// Training throughput of the language model of MXNet's lstm_bucketing.py (Embedding 200 →
// 2 × LSTM 200, or 2 × GRU 200 with --cell gru, → FullyConnected V → SoftmaxOutput, batch 32) on
// random tokens of one length, with the fused RNN op and with unrolled cells, against PyTorch's
// reference (the same cell) in the same run.
//   pnpm bench:lm -- --synthetic 40 --seq-len 30 [--cell lstm|gru] [--threads N] [--vocab 10000]
// One JSON line per variant: variant, cell, backend (the GEMM policy, see @bkt/ndarray's setGemmBackend),
// precision (of oneDNN's products: float32, or bfloat16 with float32 accumulation, setGemmPrecision),
// seq_len, train_tokens_per_s, gflops, gemm (each float32 product shape "MxNxK[ tA][ tB]" and the
// library it ran on), gemm_ms_per_step (each shape's milliseconds per step in its library call),
// gemm_share (the fraction of the step spent in GEMM calls) and, when /usr/bin/python3 has torch, torch_train_tokens_per_s and ratio_vs_torch
// (PyTorch float32), plus for the bfloat16 variant torch_bf16_train_tokens_per_s and ratio_vs_torch_bf16
// (the reference's --bf16 autocast), then onednn_output_layer_gflops (oneDNN's matmul alone on the output
// layer's forward shape, in the variant's precision, same run) and fraction_of_onednn_matmul (the
// step's gflops over it). A step is forward + backward + an SGD update
// of every parameter, as the reference's step is.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as nd from '@bkt/ndarray';
import { Embedding, FullyConnected, RNN_GATES, Reshape, RNN, SoftmaxOutput, type Symbol, Variable } from '@bkt/symbol';

import { Executor } from '../src/index.js';
import { parseLMBenchOptions } from './lm-options.js';
import { unrolledLM } from './unrolled-lm.js';

const { steps: STEPS, seqLen: T, vocab: V, threads: THREADS, cell: CELL } = parseLMBenchOptions(process.argv.slice(2));
const N = 32;
const E = 200;
const H = 200;
const L = 2;
const GATES = RNN_GATES[CELL].length;
// As the reference counts them: the GEMMs of one step (forward and both backward products, x3), the
// first layer's gates reading E + H inputs, deeper layers' H + H, then the output layer.
const FLOPS_PER_TOKEN = 2 * 3 * (GATES * H * (E + H) + (L - 1) * GATES * H * (2 * H) + H * V);

// Time-major (T, N) tokens, as MXNet's cuDNN bucketing example feeds the fused op.
function fusedLM(): Symbol {
  const embed = Embedding({ data: Variable('data'), name: 'embed', inputDim: V, outputDim: E });
  const rnn = RNN({ data: embed, name: CELL, mode: CELL, stateSize: H, numLayers: L });
  const pred = FullyConnected({ data: Reshape({ data: rnn, shape: [-1, H] }), name: 'pred', numHidden: V });
  return SoftmaxOutput({ data: pred, label: Reshape({ data: Variable('softmax_label'), shape: [-1] }), name: 'softmax' });
}

// Batch-major (N, T) tokens through unrolled LSTMCells (GRUCells), as lstm_bucketing.py builds it.
const unrolled = (): Symbol => unrolledLM({ seqLen: T, vocab: V, embed: E, hidden: H, layers: L, cell: CELL });

function measure(
  variant: string,
  backend: nd.GemmBackend,
  precision: nd.GemmPrecision,
  build: () => Symbol,
  dataShape: number[],
): Record<string, unknown> {
  nd.setGemmBackend(backend);
  nd.setGemmPrecision(precision);
  let exec: Executor;
  try {
    const sym = build();
    const inputs = new Set(['data', 'softmax_label']);
    const gradReq = Object.fromEntries(
      sym.listArguments().map((n) => [n, inputs.has(n) || n.includes('state') ? 'null' : 'write'] as const),
    );
    exec = Executor.simpleBind(sym, { shapes: { data: dataShape, softmax_label: dataShape }, gradReq });
  } catch (e) {
    return { variant, cell: CELL, backend, precision, seq_len: T, error: (e as Error).message };
  }
  nd.seed(0);
  for (const [name, a] of Object.entries(exec.argDict)) {
    const init =
      name === 'data' || name === 'softmax_label'
        ? nd.random.randint(1, V, a.shape).astype('float32')
        : name.includes('state')
          ? nd.zeros(a.shape)
          : nd.random.uniform(-0.1, 0.1, a.shape);
    init.copyTo(a);
    init.dispose();
  }
  const params = Object.keys(exec.gradDict);
  const step = (): void => {
    exec.forward({ isTrain: true });
    exec.backward();
    for (const p of params) nd.sgdUpdate(exec.argDict[p]!, exec.gradDict[p]!, { lr: 0.01, wd: 1e-5, rescaleGrad: 1 / N });
  };
  step();
  step();
  const label = (c: nd.GemmChoice): string =>
    `${c.m}x${c.n}x${c.k}${c.transposeA ? ' tA' : ''}${c.transposeB ? ' tB' : ''}${c.bias ? ' bias' : ''}`;
  const before = new Map(nd.gemmChoices().map((c) => [label(c), c.seconds]));
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < STEPS; i++) step();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  exec.dispose();
  const tokensPerS = (STEPS * T * N) / seconds;
  const choices = nd.gemmChoices();
  const gemm = Object.fromEntries(choices.map((c) => [label(c), c.backend]));
  const gemmSeconds = choices.map((c) => [label(c), c.seconds - (before.get(label(c)) ?? 0)] as const);
  const gemmMsPerStep = Object.fromEntries(gemmSeconds.map(([k, s]) => [k, +((s / STEPS) * 1000).toFixed(2)]));
  const gemmShare = gemmSeconds.reduce((sum, [, s]) => sum + s, 0) / seconds;
  return {
    variant,
    cell: CELL,
    backend,
    precision,
    seq_len: T,
    train_tokens_per_s: Math.round(tokensPerS),
    gflops: +((tokensPerS * FLOPS_PER_TOKEN) / 1e9).toFixed(1),
    gemm,
    gemm_ms_per_step: gemmMsPerStep,
    gemm_share: +gemmShare.toFixed(3),
  };
}

// oneDNN's own rate on the output layer's forward product ((N·T) × H by H × V) in this precision,
// best of three rounds of about half a second: the ceiling the step's GFLOP/s is reported against.
function oneDnnOutputLayerGflops(precision: nd.GemmPrecision): number {
  nd.setGemmBackend('onednn');
  nd.setGemmPrecision(precision);
  const a = nd.random.uniform(-1, 1, [N * T, H]);
  const b = nd.random.uniform(-1, 1, [H, V]);
  let best = 0;
  for (let round = 0; round < 3; round++) {
    let reps = 0;
    const t0 = process.hrtime.bigint();
    let seconds = 0;
    while (reps < 2 || seconds < 0.5) {
      nd.dot(a, b).dispose();
      reps++;
      seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    }
    best = Math.max(best, (2 * N * T * H * V * reps) / seconds / 1e9);
  }
  a.dispose();
  b.dispose();
  return best;
}

function torchTokensPerS(extra: string[] = []): number | undefined {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'lstm_lm_torch.py');
  if (!existsSync('/usr/bin/python3') || !existsSync(script)) return undefined;
  if (spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status !== 0) return undefined;
  const r = spawnSync(
    '/usr/bin/python3',
    [script, '--synthetic', String(STEPS), '--seq-len', String(T), '--vocab', String(V), '--cell', CELL, ...extra],
    {
      encoding: 'utf8',
    },
  );
  const line = r.stdout.trim().split('\n').pop();
  return line ? (JSON.parse(line) as { train_tokens_per_s: number }).train_tokens_per_s : undefined;
}

if (THREADS > 0) nd.setNumThreads(THREADS);
const torch = torchTokensPerS();
const torchBf16 = torchTokensPerS(['--bf16']);
const initial = { backend: nd.getGemmBackend(), precision: nd.getGemmPrecision() };
const results = [
  measure('fused', 'auto', 'float32', fusedLM, [T, N]),
  measure('fused', 'openblas', 'float32', fusedLM, [T, N]),
  measure('fused', 'auto', 'bfloat16', fusedLM, [T, N]),
  measure('unrolled', 'auto', 'float32', unrolled, [N, T]),
];
const outputLayerGflops = {
  float32: oneDnnOutputLayerGflops('float32'),
  bfloat16: oneDnnOutputLayerGflops('bfloat16'),
};
nd.setGemmBackend(initial.backend);
nd.setGemmPrecision(initial.precision);
for (const result of results) {
  if (typeof result.gflops === 'number') {
    const ceiling = outputLayerGflops[result.precision as nd.GemmPrecision];
    result.onednn_output_layer_gflops = +ceiling.toFixed(1);
    result.fraction_of_onednn_matmul = +(result.gflops / ceiling).toFixed(3);
  }
  if (torch !== undefined) {
    result.torch_train_tokens_per_s = torch;
    if (typeof result.train_tokens_per_s === 'number') result.ratio_vs_torch = +(result.train_tokens_per_s / torch).toFixed(3);
  }
  if (torchBf16 !== undefined && result.precision === 'bfloat16') {
    result.torch_bf16_train_tokens_per_s = torchBf16;
    if (typeof result.train_tokens_per_s === 'number')
      result.ratio_vs_torch_bf16 = +(result.train_tokens_per_s / torchBf16).toFixed(3);
  }
  console.log(JSON.stringify(result));
}
