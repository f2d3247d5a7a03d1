// `pnpm bench:ptb [--epochs N] [--rounds N] [--seed N] [--data DIR] [--threads N] [--no-torch] [--profile FILE]`: bkt's bucketed LSTM LM on Penn
// Treebank, then the project's PyTorch reference (packages/executor/bench/lstm_lm_torch.py, run with
// /usr/bin/python3), one after the other in the same run, both on the reference's recipe: the valid
// split as training data, the test split as evaluation data, one vocabulary over both, no
// end-of-sentence token, buckets 10–60, batch 32, 2 × LSTM 200, embed 200, every parameter from
// U(−0.1, 0.1), SGD lr 0.01 wd 1e-5, fused LSTM in float32.
//
// bkt trains with BaseModule.fit and evaluates with score, the calls bkt-train lm makes (without its
// display and logs). Epoch and inference times run from the first batch fetched to the last batch's
// end, as the reference times its loop; both build their batches beforehand (the iterator's reset,
// the reference's bucket_batches). JSON lines: per epoch, both systems' training seconds and
// perplexity, tokens/s per bucket (padded positions, what both compute) and bkt's wall time per
// phase of fit's step (switchBucket also counts inside forward and prepare); then inference over the
// test split, bkt's score against the reference's eval(); then the library each GEMM shape ran on.
// Epoch and inference lines also give the model's GEMM work over the padded positions (model_gflop, what
// PyTorch performs), the work bkt performed (gemm_gflop, from the dispatch's per-shape counts: less in
// training, where the output layer's all-zero gradient rows are skipped), bkt's rate over its wall time
// and inside the GEMM libraries, and PyTorch's rate on the model's work.
// The data directory holds ptb.valid.txt and ptb.test.txt (default: ../shared/data/ptb beside the
// repository). --profile FILE runs MXNet's profiler over each epoch and over the inference, prints each
// one's aggregate table (by total time) to stderr and writes their chrome://tracing events to FILE.
// --rounds N repeats the comparison N times, alternating a fresh bkt process and a fresh PyTorch one, prints each
// round's lines tagged with `round`, then one line with every round's speedups and their medians.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { type BatchEndParam, type BucketingModule, type DataBatch, type DataIter, Perplexity } from '@bkt/module';
import { cpu, gemmChoices, getNumThreads, profiler, random, setNumThreads, ValueError } from '@bkt/ndarray';

import { bucketIter, loadTrainingText } from '../src/lm-data.js';
import { createLMModule } from '../src/lm-module.js';
import { layoutOf, type LMConfig, lmSymGen } from '../src/model.js';
import { vocabSize } from '../src/text-data.js';
import { initializerOf, optimizerParams } from '../src/training-setup.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  // pnpm passes on the `--` of `pnpm bench:ptb -- --epochs 3`
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    epochs: { type: 'string', default: '1' },
    data: { type: 'string', default: resolve(here, '../../../../shared/data/ptb') },
    threads: { type: 'string' },
    seed: { type: 'string', default: '0' },
    'no-torch': { type: 'boolean', default: false },
    profile: { type: 'string' },
    rounds: { type: 'string', default: '1' },
    // a round's bkt half, run by the parent of --rounds: prints its BktRun as one JSON line and nothing else
    'bkt-run-json': { type: 'boolean', default: false },
  },
});
const EPOCHS = Number(values.epochs);
if (!Number.isInteger(EPOCHS) || EPOCHS < 1)
  throw new ValueError(`bench:ptb: --epochs must be a positive integer, got ${values.epochs}`);
const ROUNDS = Number(values.rounds);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1)
  throw new ValueError(`bench:ptb: --rounds must be a positive integer, got ${values.rounds}`);
if (ROUNDS > 1 && values.profile !== undefined) throw new ValueError('bench:ptb: --profile profiles one run; leave out --rounds');
const SEED = Number(values.seed);
if (!Number.isInteger(SEED) || SEED < 0)
  throw new ValueError(`bench:ptb: --seed must be a non-negative integer, got ${values.seed}`);
const BUCKETS = [10, 20, 30, 40, 50, 60];
const BATCH = 32;
const RECIPE = { optimizer: 'sgd', lr: 0.01, momentum: 0, wd: 1e-5, clip: null, lrScheduler: null };
const trainFile = join(values.data!, 'ptb.valid.txt');
const evalFile = join(values.data!, 'ptb.test.txt');
for (const f of [trainFile, evalFile])
  if (!existsSync(f)) throw new ValueError(`bench:ptb: ${f} is missing; give --data DIR holding ptb.valid.txt and ptb.test.txt`);
if (values.threads !== undefined) setNumThreads(Number(values.threads));

type PerBucket = Record<string, { seconds: number; tokens_per_s: number }>;

/** With --profile: starts the profiler over a phase (an epoch, the inference). */
function startProfile(): void {
  if (values.profile !== undefined) profiler.setState('run');
}

/** With --profile: stops the profiler and prints the phase's aggregate table, largest total first, to stderr. */
function reportProfile(title: string, wallSeconds: number): void {
  if (values.profile === undefined) return;
  profiler.setState('stop');
  const json = JSON.parse(profiler.dumps({ format: 'json' })) as { Time: { operator?: Record<string, { Total: number }> } };
  const profiledMs = Object.values(json.Time.operator ?? {}).reduce((t, s) => t + s.Total, 0);
  process.stderr.write(
    `bench:ptb profile, ${title}: the operators took ${round(profiledMs / 1000, 3)} s of ${round(wallSeconds, 3)} s` +
      profiler.dumps({ sortBy: 'total', reset: true }),
  );
}
const round = (x: number, digits = 2): number => +x.toFixed(digits);

/**
 * Wall time per bucket length from a batch-end callback: each batch gets the time since the previous
 * batch's end (or since start()), its padded positions counted as tokens.
 */
class BucketClock {
  #spent = new Map<number, [number, number]>();
  #last = 0;
  #first = 0;

  start(): void {
    this.#spent.clear();
    this.#first = this.#last = performance.now();
  }

  readonly batchEnd = (p: BatchEndParam): void => {
    const now = performance.now();
    const batch = p.locals!['batch'] as DataBatch;
    const s = this.#spent.get(batch.bucketKey as number) ?? [0, 0];
    s[0] += (now - this.#last) / 1000;
    s[1] += batch.data[0]!.size;
    this.#spent.set(batch.bucketKey as number, s);
    this.#last = now;
  };

  get seconds(): number {
    return (this.#last - this.#first) / 1000;
  }

  get tokens(): number {
    return [...this.#spent.values()].reduce((n, [, t]) => n + t, 0);
  }

  perBucket(): PerBucket {
    const sorted = [...this.#spent].sort(([a], [b]) => a - b);
    return Object.fromEntries(
      sorted.map(([k, [s, n]]) => [String(k), { seconds: round(s, 3), tokens_per_s: Math.round(n / s) }]),
    );
  }
}

interface GemmWork {
  flops: number;
  seconds: number;
}

/** The floating-point work of every GEMM run so far and the time spent in the libraries, from the dispatch's counters. */
function gemmWork(): GemmWork {
  let flops = 0;
  let seconds = 0;
  for (const c of gemmChoices()) {
    flops += c.flops;
    seconds += c.seconds;
  }
  return { flops, seconds };
}

/**
 * The GEMM work the model defines per padded position, as the PyTorch reference counts it: the LSTM layers' and the
 * output layer's products, forward only for inference, forward and both gradients for training. bkt performs less
 * where it skips the output layer's all-zero gradient rows (padded positions), PyTorch all of it.
 */
function modelFlopsPerPosition(cfg: LMConfig, training: boolean): number {
  const h = cfg.numHidden;
  const perLayer = 4 * h * (cfg.numEmbed + h); // the LSTM's gates; every layer here has inputs of size E = H
  return 2 * (cfg.numLayers * perLayer + h * cfg.vocabSize) * (training ? 3 : 1);
}

/** Work done since `before`, as the rates the report gives: GFLOP/s over the wall time, the GEMMs' own rate, their share. */
function gemmRates(before: GemmWork, wallSeconds: number, modelFlops: number): GemmReport {
  const now = gemmWork();
  const flops = now.flops - before.flops;
  const seconds = now.seconds - before.seconds;
  return {
    model_gflop: round(modelFlops / 1e9, 1),
    gflop: round(flops / 1e9, 1),
    gflops: round(flops / 1e9 / wallSeconds, 1),
    gemm_gflops: round(flops / 1e9 / seconds, 1),
    gemm_share: round(seconds / wallSeconds, 3),
  };
}

interface GemmReport {
  /** The work the model defines over the padded positions (what PyTorch performs), in GFLOP. */
  model_gflop: number;
  /** The GEMMs' floating-point work bkt performed, in GFLOP. */
  gflop: number;
  /** That work over the phase's wall time. */
  gflops: number;
  /** That work over the time spent inside the GEMM libraries: their own rate. */
  gemm_gflops: number;
  /** The fraction of the wall time spent inside the GEMM libraries. */
  gemm_share: number;
}

/** Replaces obj[name] by a version that adds its wall time (ms) to phases[phase]. */
function timePhase(obj: object, name: string, phase: string, phases: Map<string, number>): void {
  const target = obj as Record<string, (...a: unknown[]) => unknown>;
  const original = target[name]!.bind(obj);
  target[name] = (...args: unknown[]): unknown => {
    const t = performance.now();
    try {
      return original(...args);
    } finally {
      phases.set(phase, (phases.get(phase) ?? 0) + performance.now() - t);
    }
  };
}

interface BktRun {
  epochs: {
    train_ppl: number;
    seconds: number;
    tokens_per_s: number;
    per_bucket: PerBucket;
    phases_s: Record<string, number>;
    gemm: GemmReport;
  }[];
  inference: { eval_ppl: number; seconds: number; tokens_per_s: number; per_bucket: PerBucket; gemm: GemmReport };
  gemm: Record<string, string>;
  vocab: number;
}

function runBkt(): BktRun {
  random.seed(SEED);
  const data = loadTrainingText({ kind: 'files', train: trainFile, valid: evalFile, vocabFromValid: true }, false);
  const config: LMConfig = {
    cell: 'lstm',
    fused: true,
    numLayers: 2,
    numHidden: 200,
    numEmbed: 200,
    dropout: 0,
    vocabSize: vocabSize(data.vocab),
  };
  const quiet = (): void => {};
  const trainIter = bucketIter(data.train, BATCH, BUCKETS, layoutOf(config), quiet);
  const evalIter = bucketIter(data.valid, BATCH, BUCKETS, layoutOf(config), quiet);
  const mod = createLMModule(lmSymGen(config), trainIter.defaultBucketKey, {
    context: [cpu()],
    logger: quiet,
  }) as BucketingModule;

  if (values.profile !== undefined) profiler.setConfig({ filename: values.profile, aggregateStats: true });
  const phases = new Map<string, number>();
  for (const name of ['forward', 'backward', 'update', 'updateMetric', 'prepare', 'switchBucket'])
    timePhase(mod, name, name, phases);
  timePhase(trainIter, 'nextBatch', 'iterator', phases);
  const clock = new BucketClock();
  // fit fetches an epoch's first batch right after binding and initializing: the epoch starts there
  const fetch = trainIter.nextBatch.bind(trainIter);
  let epochStarted = false;
  let workBefore = gemmWork();
  (trainIter as DataIter).nextBatch = (): DataBatch | undefined => {
    const batch = fetch();
    if (!epochStarted) {
      epochStarted = true;
      phases.clear();
      clock.start();
      workBefore = gemmWork();
      startProfile();
    }
    return batch;
  };

  const epochs: BktRun['epochs'] = [];
  const metric = new Perplexity(0);
  mod.fit(trainIter, {
    numEpoch: EPOCHS,
    evalMetric: metric,
    initializer: initializerOf({ kind: 'uniform-all', scale: 0.1 }),
    kvstore: null,
    optimizer: RECIPE.optimizer,
    optimizerParams: optimizerParams(RECIPE),
    batchEndCallback: clock.batchEnd,
    epochEndCallback: (epoch) => {
      reportProfile(`epoch ${epoch + 1}`, clock.seconds);
      epochs.push({
        train_ppl: round(metric.getGlobal()[1] as number),
        seconds: round(clock.seconds),
        tokens_per_s: Math.round(clock.tokens / clock.seconds),
        per_bucket: clock.perBucket(),
        phases_s: Object.fromEntries([...phases].map(([k, ms]) => [k, round(ms / 1000)])),
        gemm: gemmRates(workBefore, clock.seconds, clock.tokens * modelFlopsPerPosition(config, true)),
      });
      epochStarted = false;
    },
  });

  const scored = new Perplexity(0);
  evalIter.reset();
  clock.start();
  const scoreWorkBefore = gemmWork();
  startProfile();
  mod.score(evalIter, scored, { batchEndCallback: clock.batchEnd, reset: false });
  reportProfile('inference', clock.seconds);
  if (values.profile !== undefined) profiler.dump();
  const scoreGemm = gemmRates(scoreWorkBefore, clock.seconds, clock.tokens * modelFlopsPerPosition(config, false));
  const gemm = Object.fromEntries(
    gemmChoices().map((c) => [
      `${c.m}x${c.n}x${c.k}${c.transposeA ? ' tA' : ''}${c.transposeB ? ' tB' : ''}${c.precision === 'bfloat16' ? ' bf16' : ''}`,
      c.backend,
    ]),
  );
  return {
    epochs,
    inference: {
      eval_ppl: round(scored.get()[1] as number),
      seconds: round(clock.seconds),
      tokens_per_s: Math.round(clock.tokens / clock.seconds),
      per_bucket: clock.perBucket(),
      gemm: scoreGemm,
    },
    gemm,
    vocab: config.vocabSize,
  };
}

interface TorchEpoch {
  system: string;
  train_ppl: number;
  eval_ppl: number;
  train_seconds: number;
  train_tokens_per_s: number;
  eval_seconds: number;
  eval_tokens_per_s: number;
  train_per_length: PerBucket;
  eval_per_length: PerBucket;
}

function runTorch(): TorchEpoch[] | string {
  const script = resolve(here, '../../../packages/executor/bench/lstm_lm_torch.py');
  if (!existsSync('/usr/bin/python3')) return 'no /usr/bin/python3';
  if (spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status !== 0)
    return '/usr/bin/python3 has no torch (Debian: apt-get install python3-torch)';
  const args = [
    script,
    '--train',
    trainFile,
    '--eval',
    evalFile,
    '--epochs',
    String(EPOCHS),
    '--buckets',
    BUCKETS.join(','),
    '--batch-size',
    String(BATCH),
  ];
  const r = spawnSync('/usr/bin/python3', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) return `lstm_lm_torch.py exited with ${r.status}`;
  return r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as TorchEpoch);
}

/** bkt's half of a round in a process of its own, as fresh as PyTorch's: this script with --bkt-run-json. */
function runBktInChild(): BktRun {
  // --bkt-run-json comes first in the child, so the --rounds it is passed on with does not repeat there.
  const args = process.argv.slice(2).filter((a) => a !== '--');
  const r = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, ...args, '--no-torch', '--bkt-run-json'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new ValueError(`bench:ptb: the bkt run of a round exited with ${r.status}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as BktRun;
}

const ratio = (a: number | undefined, b: number | undefined): number | null =>
  a === undefined || b === undefined ? null : round(a / b, 3);

/**
 * bkt's GEMM work and rates, and the model's work over PyTorch's time (PyTorch computes every padded position's
 * products; bkt skips the output layer's all-zero gradient rows, so its gemm_gflop is smaller in training).
 * bkt_gemm_gflops is the ceiling bkt's whole step would reach if everything but its GEMMs took no time.
 */
const flopRates = (g: GemmReport, torchSeconds: number | undefined): Record<string, number | null> => ({
  model_gflop: g.model_gflop,
  gemm_gflop: g.gflop,
  bkt_gflops: g.gflops,
  bkt_gemm_gflops: g.gemm_gflops,
  bkt_gemm_share: g.gemm_share,
  torch_gflops: torchSeconds === undefined ? null : round(g.model_gflop / torchSeconds, 1),
});

interface RoundSpeedups {
  epochs: (number | null)[];
  inference: number | null;
}

/** One run's JSON lines (with `round` when there are several); returns its speedups. */
function report(bkt: BktRun, torch: TorchEpoch[] | string, loads: number[][], roundNo?: number): RoundSpeedups {
  const torchEpochs = typeof torch === 'string' ? [] : torch;
  const tag = roundNo === undefined ? {} : { round: roundNo };
  const epochs = bkt.epochs.map((b, e) => {
    const t = torchEpochs[e];
    const speedup = ratio(t?.train_seconds, b.seconds);
    console.log(
      JSON.stringify({
        ...tag,
        epoch: e + 1,
        bkt_seconds: b.seconds,
        torch_seconds: t?.train_seconds ?? null,
        speedup_vs_torch: speedup,
        bkt_train_ppl: b.train_ppl,
        torch_train_ppl: t?.train_ppl ?? null,
        bkt_tokens_per_s: b.tokens_per_s,
        torch_tokens_per_s: t?.train_tokens_per_s ?? null,
        bkt_per_bucket: b.per_bucket,
        torch_per_bucket: t?.train_per_length ?? null,
        bkt_phases_s: b.phases_s,
        ...flopRates(b.gemm, t?.train_seconds),
      }),
    );
    return speedup;
  });
  const lastTorch = torchEpochs.at(-1);
  const inference = ratio(bkt.inference.tokens_per_s, lastTorch?.eval_tokens_per_s);
  console.log(
    JSON.stringify({
      ...tag,
      inference: 'the test split after the last epoch: bkt score() against PyTorch eval(), no gradients',
      bkt_eval_ppl: bkt.inference.eval_ppl,
      torch_eval_ppl: lastTorch?.eval_ppl ?? null,
      bkt_seconds: bkt.inference.seconds,
      torch_seconds: lastTorch?.eval_seconds ?? null,
      bkt_tokens_per_s: bkt.inference.tokens_per_s,
      torch_tokens_per_s: lastTorch?.eval_tokens_per_s ?? null,
      speedup_vs_torch: inference,
      bkt_per_bucket: bkt.inference.per_bucket,
      torch_per_bucket: lastTorch?.eval_per_length ?? null,
      ...flopRates(bkt.inference.gemm, lastTorch?.eval_seconds),
    }),
  );
  console.log(
    JSON.stringify({
      ...tag,
      gemm: bkt.gemm,
      vocab: bkt.vocab,
      torch: typeof torch === 'string' ? torch : (lastTorch?.system ?? null),
      threads: getNumThreads(),
      loadavg_before: loads[0],
      loadavg_between: loads[1],
      loadavg_after: loads[2],
    }),
  );
  return { epochs, inference };
}

const median = (xs: (number | null)[]): number | null => {
  const v = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid]! : round((v[mid - 1]! + v[mid]!) / 2, 3);
};
const load = (): number[] => loadavg().map((x) => round(x));

if (values['bkt-run-json']) {
  console.log(JSON.stringify(runBkt()));
} else if (ROUNDS === 1) {
  const before = load();
  const bkt = runBkt();
  const between = load();
  const torch = values['no-torch'] ? 'skipped (--no-torch)' : runTorch();
  report(bkt, torch, [before, between, load()]);
} else {
  // Rounds alternate bkt and PyTorch, each in a fresh process, so a drift in the machine's speed over the
  // run reaches both; every round is printed, then the median speedups.
  const rounds: RoundSpeedups[] = [];
  for (let r = 1; r <= ROUNDS; r++) {
    const before = load();
    const bkt = runBktInChild();
    const between = load();
    const torch = values['no-torch'] ? 'skipped (--no-torch)' : runTorch();
    rounds.push(report(bkt, torch, [before, between, load()], r));
  }
  console.log(
    JSON.stringify({
      rounds: ROUNDS,
      epoch_speedups: rounds[0]!.epochs.map((_, e) => rounds.map((x) => x.epochs[e] ?? null)),
      median_epoch_speedups: rounds[0]!.epochs.map((_, e) => median(rounds.map((x) => x.epochs[e] ?? null))),
      inference_speedups: rounds.map((x) => x.inference),
      median_inference_speedup: median(rounds.map((x) => x.inference)),
    }),
  );
}
