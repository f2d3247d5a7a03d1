// A tiny end-to-end `seq2seq` run on the built-in parallel corpus, then resume, translate and
// eval-bleu on its checkpoints, all through the command line parser in-process.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateParallelCorpus } from '../src/corpus/index.js';
import { readMetricsLog } from '../src/metrics-log.js';
import { buildProgram } from '../src/program.js';

const dir = mkdtempSync(join(tmpdir(), 'bkt-s2s-'));
const TINY = [
  '--sentences',
  '400',
  '--vocab-size',
  '64',
  '--max-length',
  '6',
  '--num-hidden',
  '32',
  '--num-embed',
  '16',
  '--batch-size',
  '16',
  '--num-buckets',
  '2',
  '--seed',
  '5',
  '--disp-batches',
  '10',
  '--beam-size',
  '2',
];

// Runs bkt-train with `args`; returns the exit code and what it printed (console and stdout).
async function cli(...args: string[]): Promise<{ code: number; out: string[]; err: string[]; stdout: string }> {
  const out: string[] = [];
  const err: string[] = [];
  let stdout = '';
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
  process.exitCode = 0;
  try {
    await buildProgram().parseAsync(['node', 'bkt-train', ...args]);
    return { code: Number(process.exitCode ?? 0), out, err, stdout };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
    process.exitCode = 0;
  }
}

const A = join(dir, 'runs', 'a');
let runA: Awaited<ReturnType<typeof cli>>;

beforeAll(async () => {
  runA = await cli('seq2seq', ...TINY, '--epochs', '2', '--checkpoint', A, '--log', join(dir, 'logs', 'a.jsonl'));
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bkt-train seq2seq', () => {
  it('trains on [source, target] buckets, printing epoch summaries with BLEU and the test-set result', () => {
    expect(runA.err).toEqual([]);
    expect(runA.code).toBe(0);
    const text = runA.out.join('\n');
    expect(text).toMatch(/grid source \[\d+, \d+\] × target \[\d+, \d+\]/);
    expect(text).toMatch(
      /Padding of the computed positions: [\d.]+% with the 2-D grid, [\d.]+% with source-length buckets only, [\d.]+% without bucketing/,
    );
    expect(text).toMatch(/Epoch 2\/2: train ppl [\d.]+, valid ppl [\d.]+, valid BLEU [\d.]+ \(greedy\), exact match [\d.]+%/);
    expect(text).toMatch(/Test \(40 held-out pairs, beam 2, length penalty 1\): BLEU [\d.]+, exact match [\d.]+%/);
  });

  it('writes the JSONL log and checkpoints with the run file, both vocabularies and every bucket', () => {
    const log = readMetricsLog(join(dir, 'logs', 'a.jsonl')) as (ReturnType<typeof readMetricsLog>[number] & {
      valid_bleu: number;
    })[];
    expect(log.map((r) => r.epoch)).toEqual([1, 2]);
    for (const r of log) {
      expect(r.valid_bleu).toBeGreaterThanOrEqual(0);
      expect(r.valid_bleu).toBeLessThanOrEqual(100);
    }
    expect(log[1]!.train_ppl).toBeLessThan(log[0]!.train_ppl);
    for (const f of [
      '-seq2seq.json',
      '-source-vocab.json',
      '-target-vocab.json',
      '-0002.params',
      '-0002.states',
      '-buckets.json',
      '-report.html',
    ])
      expect(existsSync(`${A}${f}`)).toBe(true);
    const html = readFileSync(`${A}-report.html`, 'utf8');
    expect(html).toMatch(/Pairs per bucket \[S, T\]/);
    expect(html).toMatch(/finished 2 epochs/);
    // one heat-map cell per grid cell, a count in every non-empty one
    expect((html.match(/<rect [^>]*><title>\[\d+, \d+\]: /g) ?? []).length).toBe(4);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it('resumes exactly: one epoch, then --resume to the second, matches the straight run', async () => {
    const B = join(dir, 'b');
    expect((await cli('seq2seq', ...TINY, '--epochs', '1', '--checkpoint', B, '--log', join(dir, 'b.jsonl'))).code).toBe(0);
    const resumed = await cli('seq2seq', ...TINY, '--epochs', '2', '--resume', `${B}:1`, '--log', join(dir, 'b.jsonl'));
    expect(resumed.code).toBe(0);
    const a = readMetricsLog(join(dir, 'logs', 'a.jsonl'));
    const b = readMetricsLog(join(dir, 'b.jsonl'));
    expect(b.map((r) => r.epoch)).toEqual([1, 2]);
    expect(b[1]!.train_ppl).toBeCloseTo(a[1]!.train_ppl, 4);
    expect(b[1]!.valid_ppl).toBeCloseTo(a[1]!.valid_ppl!, 4);
  }, 300_000);

  it('--resume PREFIX picks the newest complete checkpoint, naming the incomplete ones it skips', async () => {
    const B = join(dir, 'b');
    // the manifest lists the run files too: a checkpoint is complete only with those it was trained with
    const manifest = JSON.parse(readFileSync(`${B}-0002.manifest.json`, 'utf8')) as unknown;
    for (const f of ['b-seq2seq.json', 'b-source-vocab.json', 'b-target-vocab.json'])
      expect(JSON.stringify(manifest)).toContain(f);
    rmSync(`${B}-0002.manifest.json`);
    const explicit = await cli('seq2seq', ...TINY, '--epochs', '2', '--resume', `${B}:2`);
    expect(explicit.code).toBe(1);
    expect(explicit.err.join('\n')).toMatch(/b:2' is incomplete: it has no manifest .*the newest complete one is .*b:1/);
    const r = await cli('seq2seq', ...TINY, '--epochs', '2', '--resume', B);
    expect(r.code).toBe(0);
    const text = r.out.join('\n');
    expect(text).toMatch(/Skipping incomplete checkpoint .*b:2: it has no manifest/);
    expect(text).toMatch(/Resuming .*b at epoch 1/);
    expect(existsSync(`${B}-0002.manifest.json`)).toBe(true);
  }, 300_000);

  it('translate reads a file line by line (empty lines stay empty) and writes one translation a line', async () => {
    const test = generateParallelCorpus({ seed: 5, sentences: 400, vocabSize: 64, maxLength: 6 }).test;
    const input = join(dir, 'in.txt');
    writeFileSync(input, `${test[0]!.source.join(' ')}\n\n${test[1]!.source.join(' ')} zzzunknown\n`);
    const r = await cli('translate', '--checkpoint', `${A}:2`, '--input', input, '--beam-size', '3');
    expect(r.err).toEqual([]);
    const lines = r.stdout.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toBe('');
    expect(lines[0]!.split(' ').length).toBeGreaterThan(0);
    expect(lines[3]).toBe('');
  });

  it('eval-bleu scores a checkpoint on the built-in test set, and translation files against references', async () => {
    const r = await cli('eval-bleu', '--checkpoint', `${A}:2`, '--beam-size', '1', '--json');
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out[0]!) as { bleu: number; exact_match: number; sentences: number };
    expect(res.sentences).toBe(40);
    expect(res.bleu).toBeGreaterThanOrEqual(0);
    const hyp = join(dir, 'hyp.txt');
    const ref = join(dir, 'ref.txt');
    writeFileSync(hyp, "The dog bit the man.\nIt wasn't surprising.\nThe man had just bitten him.\n");
    writeFileSync(ref, 'The dog bit the man.\nIt was not unexpected.\nThe man bit him first.\n');
    const f = await cli('eval-bleu', '--hypotheses', hyp, '--reference', ref);
    expect(f.code).toBe(0);
    expect(f.out[0]).toMatch(/^BLEU = \d+\.\d\d /);
    expect(f.out[1]).toMatch(/exact match 33\.33% of 3 sentences/);
  });

  it('says what is wrong with inconsistent options', async () => {
    const both = await cli('eval-bleu', '--hypotheses', 'h.txt', '--checkpoint', `${A}:2`);
    expect(both.code).toBe(1);
    expect(both.err.join('\n')).toMatch(/either --hypotheses .* or --checkpoint/);
    const half = await cli('seq2seq', '--train-source', 'x.txt');
    expect(half.code).toBe(1);
    expect(half.err.join('\n')).toMatch(/go together/);
    const missing = await cli('translate', '--checkpoint', `${join(dir, 'nope')}:1`, '--input', join(dir, 'in.txt'));
    expect(missing.err.join('\n')).toMatch(/no translation checkpoint with prefix/);
  });
});
