// float32 GEMM throughput of `dot` called from TS on each backend (OpenBLAS, oneDNN, and oneDNN in
// bfloat16 precision), against numpy on OpenBLAS and against the machine's multiply-add peak, on the
// LSTM LM's shapes, then the fixed cost of one small op call.
//   pnpm bench:gemm                  # bkt's thread count (all cores), numpy on OpenBLAS's default
//   pnpm bench:gemm -- --threads 1   # both sides on n threads
// The first JSON line is the peak, measured by bench/fma_peak.cc (compiled here with g++, bounded in
// time): {peak: 'fma', isa, threads, float32_1thread_gflops, float32_gflops (on `threads` threads),
// bfloat16_1thread_gflops, bfloat16_gflops (AVX512_BF16's dot product; null without it)}, or
// {peak: 'not measured', reason}.
// Then one line per shape: m, n, k, threads, openblas_gflops, onednn_gflops, onednn_bf16_gflops
// (float32 in and out, conversions included), faster (the float32 backend the `auto` table should
// pick), each float32 rate's fraction of the float32 peak (openblas_of_peak, onednn_of_peak, and
// onednn_bf16_of_peak of the bfloat16 peak) and, when /usr/bin/python3 has numpy, numpy_gflops,
// numpy_of_peak and ratio = the faster backend's rate / numpy's; the last line is {op, overhead_us}.
// The machine is shared, so each shape runs ROUNDS alternating rounds of ours then numpy's (about
// SECONDS in all per side) and each side reports its best round: a burst of someone else's work
// then lowers one round instead of one side.
import { type ChildProcessWithoutNullStreams, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import * as nd from '../src/index.js';

// A tiny product, one LSTM step (hidden 200; 400 inputs when input and hidden are one GEMM), the input
// projection, and the output layer's forward, data and weight gradients of
// `pnpm bench:lm -- --synthetic 40 --seq-len 30` (batch 32 x 30 steps, 10k words), then of the PTB
// run's T = 30 bucket (`pnpm bench:ptb`, 7,596 words).
const SHAPES: [number, number, number][] = [
  [16, 64, 64],
  [32, 800, 200],
  [32, 800, 400],
  [960, 800, 200],
  [960, 10000, 200],
  [960, 200, 10000],
  [10000, 200, 960],
  [960, 7596, 200],
  [960, 200, 7596],
  [7596, 200, 960],
];
// [reported as, backend, precision]
const VARIANTS = [
  ['openblas', 'openblas', 'float32'],
  ['onednn', 'onednn', 'float32'],
  ['onednn_bf16', 'onednn', 'bfloat16'],
] as const;
const SECONDS = 1;
const ROUNDS = 5;
const PYTHON = '/usr/bin/python3';

function threadsArg(): number | undefined {
  const i = process.argv.indexOf('--threads');
  if (i < 0) return undefined;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--threads needs a positive integer, got ${process.argv[i + 1]}`);
  return n;
}

function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** GFLOP/s of dot(a, b) over repetitions for about `seconds`, timing only the dot calls. */
function dotRound(a: nd.NDArray, b: nd.NDArray, seconds: number): number {
  const [m, k] = a.shape as [number, number];
  const n = b.shape[1]!;
  let timed = 0;
  let reps = 0;
  const start = nowMs();
  while (reps === 0 || nowMs() - start < seconds * 1000) {
    const t0 = nowMs();
    const c = nd.dot(a, b);
    timed += nowMs() - t0;
    c.dispose();
    reps++;
  }
  return (2 * m * n * k * reps) / (timed / 1000) / 1e9;
}

// The reference's own measurement (shared/bench/sgemm_roofline.py): `a @ b` repeated for a while,
// served one request per stdin line so numpy's rounds can alternate with ours.
const NUMPY_SCRIPT = `
import sys, time, numpy as np
data = {}
for line in sys.stdin:
    m, n, k, seconds = int(line.split()[0]), int(line.split()[1]), int(line.split()[2]), float(line.split()[3])
    if (m, n, k) not in data:
        data.clear()
        data[m, n, k] = (np.random.rand(m, k).astype(np.float32), np.random.rand(k, n).astype(np.float32))
        a, b = data[m, n, k]; a @ b; a @ b
    a, b = data[m, n, k]
    reps, t = 0, time.perf_counter()
    while reps == 0 or time.perf_counter() - t < seconds: a @ b; reps += 1
    print(2 * m * n * k * reps / (time.perf_counter() - t) / 1e9, flush=True)
`;

class NumpyWorker {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #lines: AsyncIterator<string>;

  constructor(threads: number | undefined) {
    const env = threads === undefined ? process.env : { ...process.env, OPENBLAS_NUM_THREADS: String(threads) };
    this.#child = spawn(PYTHON, ['-c', NUMPY_SCRIPT], { env });
    this.#child.stderr.pipe(process.stderr);
    this.#lines = createInterface({ input: this.#child.stdout })[Symbol.asyncIterator]();
  }

  async gflops(m: number, n: number, k: number, seconds: number): Promise<number> {
    this.#child.stdin.write(`${m} ${n} ${k} ${seconds}\n`);
    const next = await this.#lines.next();
    if (next.done) throw new Error('the numpy reference exited early');
    return Number(next.value);
  }

  close(): void {
    this.#child.stdin.end();
  }
}

interface Peak {
  isa: string | null;
  threads: number;
  float32_1: number | null;
  float32_n: number | null;
  bfloat16_1: number | null;
  bfloat16_n: number | null;
}

/** The machine's multiply-add peak on one and on `threads` threads (bench/fma_peak.cc), or why not. */
function measurePeak(threads: number): Peak | string {
  const dir = mkdtempSync(join(tmpdir(), 'bkt-fma-peak-'));
  try {
    const binary = join(dir, 'fma_peak');
    const source = join(dirname(fileURLToPath(import.meta.url)), 'fma_peak.cc');
    execFileSync('g++', ['-O2', '-std=c++17', '-pthread', source, '-o', binary], { timeout: 120_000, stdio: 'pipe' });
    // one second per figure, four figures
    return JSON.parse(execFileSync(binary, [String(threads), '1'], { encoding: 'utf8', timeout: 60_000 })) as Peak;
  } catch (e) {
    return e instanceof Error ? e.message.split('\n')[0]! : String(e);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function peakLine(peak: Peak | string): Record<string, number | string | null> {
  if (typeof peak === 'string') return { peak: 'not measured', reason: peak };
  const round = (v: number | null): number | null => (v === null ? null : +v.toFixed(1));
  return {
    peak: 'fma',
    isa: peak.isa,
    threads: peak.threads,
    float32_1thread_gflops: round(peak.float32_1),
    float32_gflops: round(peak.float32_n),
    bfloat16_1thread_gflops: round(peak.bfloat16_1),
    bfloat16_gflops: round(peak.bfloat16_n),
  };
}

/** `gflops` as a fraction of `peak`, when the peak was measured. */
function ofPeak(gflops: number, peak: number | null | undefined): number | undefined {
  return peak ? +(gflops / peak).toFixed(3) : undefined;
}

function hasNumpy(): boolean {
  return spawnSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
}

/** Microseconds per call of `add` on two 1-element arrays (the result's dispose is not timed). */
function callOverhead(): { op: string; overhead_us: number } {
  const x = nd.zeros([1]);
  const y = nd.zeros([1]);
  const call = (): nd.NDArray => nd.add(x, y);
  const batch = 1000;
  const results = new Array<nd.NDArray>(batch);
  const run = (batches: number): number => {
    let timed = 0;
    for (let b = 0; b < batches; b++) {
      const t0 = nowMs();
      for (let i = 0; i < batch; i++) results[i] = call();
      timed += nowMs() - t0;
      for (const r of results) r.dispose();
    }
    return timed;
  };
  run(20);
  const batches = 200;
  const ms = run(batches);
  x.dispose();
  y.dispose();
  return { op: 'add', overhead_us: +((ms * 1000) / (batches * batch)).toFixed(3) };
}

async function main(): Promise<void> {
  const threads = threadsArg();
  if (threads !== undefined) nd.setNumThreads(threads);
  const peak = measurePeak(nd.getNumThreads());
  console.log(JSON.stringify(peakLine(peak)));
  const f32Peak = typeof peak === 'string' ? undefined : peak.float32_n;
  const bf16Peak = typeof peak === 'string' ? undefined : peak.bfloat16_n;
  const numpy = hasNumpy() ? new NumpyWorker(threads) : undefined;
  const initialBackend = nd.getGemmBackend();
  const initialPrecision = nd.getGemmPrecision();
  try {
    for (const [m, n, k] of SHAPES) {
      const a = nd.random.uniform(0, 1, [m, k]);
      const b = nd.random.uniform(0, 1, [k, n]);
      const best = { openblas: 0, onednn: 0, onednn_bf16: 0 };
      const use = (backend: nd.GemmBackend, precision: nd.GemmPrecision): void => {
        nd.setGemmBackend(backend);
        nd.setGemmPrecision(precision);
        for (let i = 0; i < 2; i++) nd.dot(a, b).dispose();
      };
      let ref = 0;
      for (let r = 0; r < ROUNDS; r++) {
        for (const [name, backend, precision] of VARIANTS) {
          use(backend, precision);
          best[name] = Math.max(best[name], dotRound(a, b, SECONDS / ROUNDS));
        }
        if (numpy) ref = Math.max(ref, await numpy.gflops(m, n, k, SECONDS / ROUNDS));
      }
      a.dispose();
      b.dispose();
      const faster = best.onednn > best.openblas ? 'onednn' : 'openblas';
      const line: Record<string, number | string | undefined> = {
        m,
        n,
        k,
        threads: nd.getNumThreads(),
        openblas_gflops: +best.openblas.toFixed(1),
        onednn_gflops: +best.onednn.toFixed(1),
        onednn_bf16_gflops: +best.onednn_bf16.toFixed(1),
        faster,
        openblas_of_peak: ofPeak(best.openblas, f32Peak),
        onednn_of_peak: ofPeak(best.onednn, f32Peak),
        onednn_bf16_of_peak: ofPeak(best.onednn_bf16, bf16Peak),
      };
      if (numpy) {
        line.numpy_gflops = +ref.toFixed(1);
        line.numpy_of_peak = ofPeak(ref, f32Peak);
        line.ratio = +(best[faster] / ref).toFixed(3);
      }
      console.log(JSON.stringify(line));
    }
  } finally {
    numpy?.close();
    nd.setGemmBackend(initialBackend);
    nd.setGemmPrecision(initialPrecision);
  }
  console.log(JSON.stringify(callOverhead()));
}

await main();
