// A tiny end-to-end `lm` run on the built-in corpus (hidden 16), then resume, eval and generate on
// its checkpoints, all through the command line parser in-process.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCorpus } from '../src/corpus/index.js';
import { readMetricsLog } from '../src/metrics-log.js';
import { cliInProcess } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'bkt-lm-'));
const TINY = [
  '--sentences',
  '300',
  '--optimizer',
  'adam',
  '--lr',
  '0.01',
  '--num-hidden',
  '16',
  '--num-embed',
  '16',
  '--batch-size',
  '8',
  '--num-buckets',
  '3',
  '--seed',
  '7',
  '--disp-batches',
  '5',
];

const cli = cliInProcess;

// In folders that do not exist yet: the trainer creates them.
const A = join(dir, 'runs', 'a');
let runA: Awaited<ReturnType<typeof cli>>;

beforeAll(async () => {
  runA = await cli('lm', ...TINY, '--epochs', '2', '--checkpoint', A, '--log', join(dir, 'logs', 'a.jsonl'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bkt-train lm', () => {
  it('trains, printing Speedometer lines and epoch summaries with the floor', () => {
    expect(runA.err).toEqual([]);
    expect(runA.code).toBe(0);
    const text = runA.out.join('\n');
    expect(text).toMatch(/Epoch\[0\] Batch \[0-5\]\tSpeed: [\d.]+ samples\/sec\tperplexity=[\d.]+/);
    expect(text).toMatch(/Epoch\[1\] Validation-perplexity=[\d.]+/);
    expect(text).toMatch(/Epoch 2\/2: train ppl [\d.]+, valid ppl [\d.]+ \(floor [\d.]+, \+[\d.]+%\), \d+ tokens\/s/);
  });

  it('writes the JSONL log, the checkpoints with optimizer states, the vocabulary and the report', () => {
    const log = readMetricsLog(join(dir, 'logs', 'a.jsonl'));
    expect(log.map((r) => r.epoch)).toEqual([1, 2]);
    for (const r of log) {
      expect(r.train_ppl).toBeGreaterThan(1);
      expect(r.valid_ppl).toBeGreaterThan(1);
      expect(r.floor_ppl).toBeGreaterThan(1);
      expect(r.tokens_per_s).toBeGreaterThan(0);
      expect(r.seconds).toBeGreaterThan(0);
    }
    expect(log[1]!.train_ppl).toBeLessThan(log[0]!.train_ppl);
    for (const f of ['-0001.params', '-0002.params', '-0002.states', '-vocab.json', '-run.json', '-report.html'])
      expect(existsSync(A + f), f).toBe(true);
    const vocab = JSON.parse(readFileSync(`${A}-vocab.json`, 'utf8')) as Record<string, number>;
    expect(vocab['<pad>']).toBe(0);
    expect(vocab['</s>']).toBeGreaterThan(0);
    const html = readFileSync(`${A}-report.html`, 'utf8');
    expect(html).toMatch(/<svg[^>]*aria-label="Perplexity per epoch"/);
    expect(html).toMatch(/finished 2 epochs/);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it("--dtype bfloat16 trains with AMP to about the float32 run's validation perplexity", async () => {
    const r = await cli('lm', ...TINY, '--epochs', '2', '--dtype', 'bfloat16', '--log', join(dir, 'logs', 'bf16.jsonl'));
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const f32 = readMetricsLog(join(dir, 'logs', 'a.jsonl')).at(-1)!;
    const bf16 = readMetricsLog(join(dir, 'logs', 'bf16.jsonl')).at(-1)!;
    expect(Math.abs(bf16.valid_ppl! / f32.valid_ppl! - 1)).toBeLessThan(0.02);
    expect(bf16.valid_ppl!).not.toBe(f32.valid_ppl!);
  });

  it('resumes exactly: one epoch, then --resume to the second, matches the straight run', async () => {
    const B = join(dir, 'b');
    expect((await cli('lm', ...TINY, '--epochs', '1', '--checkpoint', B, '--log', join(dir, 'b.jsonl'))).code).toBe(0);
    // a different --seed is overridden: the run keeps the seed it started with
    const resumed = await cli(
      'lm',
      ...TINY,
      '--seed',
      '99',
      '--epochs',
      '2',
      '--resume',
      `${B}:1`,
      '--log',
      join(dir, 'b.jsonl'),
    );
    expect(resumed.code).toBe(0);
    expect(resumed.out.join('\n')).toMatch(/Resuming .*b at epoch 1/);
    const a = readMetricsLog(join(dir, 'logs', 'a.jsonl'));
    const b = readMetricsLog(join(dir, 'b.jsonl'));
    expect(b.map((r) => r.epoch)).toEqual([1, 2]);
    expect(b[1]!.train_ppl).toBeCloseTo(a[1]!.train_ppl, 4);
    expect(b[1]!.valid_ppl).toBeCloseTo(a[1]!.valid_ppl!, 4);
    expect(existsSync(`${B}-0002.params`)).toBe(true);
  });

  it('trains data parallel on two contexts (kvstore device) to the one-context perplexity', async () => {
    const one = readMetricsLog(join(dir, 'logs', 'a.jsonl'))[0]!;
    const r = await cli(
      'lm',
      ...TINY,
      '--epochs',
      '1',
      '--contexts',
      'cpu(0),cpu(1)',
      '--kv-store',
      'device',
      '--log',
      join(dir, 'two.jsonl'),
      '--report',
      join(dir, 'two.html'),
    );
    expect(r.code).toBe(0);
    const two = readMetricsLog(join(dir, 'two.jsonl'))[0]!;
    // The same batches and initialization: the sum over two halves equals the whole batch's gradient.
    expect(Math.abs(two.train_ppl - one.train_ppl) / one.train_ppl).toBeLessThan(1e-3);
    expect(Math.abs(two.valid_ppl! - one.valid_ppl!) / one.valid_ppl!).toBeLessThan(1e-3);
  });

  it('corpus writes the built-in corpus as text files and prints its floor', async () => {
    const out = join(dir, 'corpus');
    const r = await cli('corpus', '--out', out, '--sentences', '300', '--seed', '7', '--json');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.out[0]!) as Record<string, number | string>;
    const corpus = generateCorpus({ seed: 7, sentences: 300 });
    expect(summary.floor_ppl).toBe(corpus.floorPpl);
    expect(readFileSync(join(out, 'train.txt'), 'utf8').trimEnd().split('\n')).toEqual(corpus.train);
    expect(readFileSync(join(out, 'valid.txt'), 'utf8').trimEnd().split('\n')).toEqual(corpus.valid);
  });

  it('eval prints the perplexity of a checkpoint as JSON', async () => {
    const data = join(dir, 'eval.txt');
    const vocab = Object.keys(JSON.parse(readFileSync(`${A}-vocab.json`, 'utf8')) as object).filter((w) => !w.startsWith('<'));
    writeFileSync(
      data,
      Array.from({ length: 40 }, (_, i) => vocab.slice(i % 20, (i % 20) + 5).join(' ') + ' unseenword').join('\n'),
    );
    const r = await cli('eval', '--checkpoint', `${A}:2`, '--data', data, '--batch-size', '8', '--json');
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out[0]!) as Record<string, number>;
    expect(res.perplexity).toBeGreaterThan(1);
    expect(res.sentences).toBe(40);
    expect(res.unknown_tokens).toBe(40);
    expect(res.tokens).toBe(40 * 6); // 5 words, <unk>, </s>: every position but the first is predicted
    const missing = await cli('eval', '--checkpoint', `${A}:9`, '--data', data);
    expect(missing.code).toBe(1);
    expect(missing.err.join('')).toMatch(/checkpoint '.*a:9' does not exist/);
  });

  it('generate samples words of the vocabulary, reproducibly for a seed', async () => {
    const vocab = new Set(Object.keys(JSON.parse(readFileSync(`${A}-vocab.json`, 'utf8')) as object));
    const args = [
      'generate',
      '--checkpoint',
      `${A}:2`,
      '--prompt',
      [...vocab][5]!,
      '--length',
      '8',
      '--count',
      '2',
      '--seed',
      '3',
    ];
    const r1 = await cli(...args);
    const r2 = await cli(...args);
    expect(r1.code).toBe(0);
    expect(r1.out).toHaveLength(2);
    expect(r1.out).toEqual(r2.out);
    for (const line of r1.out) {
      const words = line.split(' ');
      expect(words[0]).toBe([...vocab][5]);
      expect(words.length).toBeLessThanOrEqual(9);
      for (const w of words) expect(vocab.has(w), w).toBe(true);
    }
  });

  it('bench prints one JSON line per variant', async () => {
    const r = await cli(
      'bench',
      '--seq-len',
      '5',
      '--batches',
      '2',
      '--vocab',
      '50',
      '--num-hidden',
      '8',
      '--num-embed',
      '8',
      '--batch-size',
      '4',
    );
    expect(r.code).toBe(0);
    const lines = r.out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.variant)).toEqual(['fused', 'unrolled']);
    for (const l of lines) {
      expect(l.seq_len).toBe(5);
      expect(l.train_tokens_per_s).toBeGreaterThan(0);
    }
  });
});
