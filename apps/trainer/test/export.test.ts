// `bkt-train export` on tiny fused and unrolled checkpoints: the file runs in onnxruntime-node and
// gives bkt's probabilities (the fused one at two sequence lengths and batch sizes).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Executor } from '@bkt/executor';
import { loadParams } from '@bkt/module';
import { fromTypedArray } from '@bkt/ndarray';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lmSymGen } from '../src/model.js';
import { cliInProcess as cli } from './run-cli.js';
import { loadRunFiles } from '../src/run-files.js';

const dir = mkdtempSync(join(tmpdir(), 'bkt-export-'));
const TINY = [
  '--sentences',
  '200',
  '--num-hidden',
  '8',
  '--num-embed',
  '8',
  '--batch-size',
  '8',
  '--num-buckets',
  '2',
  '--seed',
  '3',
  '--epochs',
  '1',
];

// bkt's probabilities for `tokens` (shape in the checkpoint's layout) and onnxruntime's from `file`.
async function bothProbabilities(
  prefix: string,
  file: string,
  shape: [number, number],
  seqLen: number,
): Promise<[Float32Array, Float32Array]> {
  const { run } = loadRunFiles(prefix);
  const { argParams, auxParams } = loadParams(prefix, 1);
  const tokens = Float32Array.from({ length: shape[0] * shape[1] }, (_, i) => 1 + ((i * 31 + 5) % (run.model.vocabSize - 1)));
  const [sym] = lmSymGen(run.model)(seqLen);
  const exec = Executor.simpleBind(sym, { shapes: { data: shape, softmax_label: shape }, gradReq: 'null' });
  exec.copyParamsFrom(argParams, auxParams);
  fromTypedArray(tokens, shape).copyTo(exec.argDict.data!);
  const want = Float32Array.from(exec.forward({ isTrain: false })[0]!.toTypedArray() as Float32Array);
  exec.dispose();
  const session = await ort.InferenceSession.create(readFileSync(file));
  const result = await session.run({ data: new ort.Tensor('float32', tokens, shape) });
  await session.release();
  return [result[session.outputNames[0]!]!.data as Float32Array, want];
}

function maxRelativeError(got: Float32Array, want: Float32Array): number {
  expect(got.length).toBe(want.length);
  let diff = 0;
  let scale = 0;
  want.forEach((w, i) => {
    diff = Math.max(diff, Math.abs(got[i]! - w));
    scale = Math.max(scale, Math.abs(w));
  });
  return diff / scale;
}

const fused = join(dir, 'fused', 'lm');
const unrolled = join(dir, 'unrolled', 'lm');

beforeAll(async () => {
  expect((await cli('lm', ...TINY, '--checkpoint', fused)).code).toBe(0);
  expect((await cli('lm', ...TINY, '--unrolled', '--checkpoint', unrolled)).code).toBe(0);
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bkt-train export', () => {
  it('writes a fused checkpoint with free sequence length and batch; onnxruntime gives bkt’s probabilities', async () => {
    const file = join(dir, 'out', 'fused.onnx');
    const r = await cli('export', '--checkpoint', `${fused}:1`, '--out', file, '--json');
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.out[0]!) as { input: { shape: string[] }; opset: number; bytes: number };
    expect(info.input.shape).toEqual(['seq_len', 'batch']);
    expect(info.opset).toBe(13);
    expect(info.bytes).toBe(readFileSync(file).length);
    for (const [t, n] of [
      [7, 2],
      [12, 5],
    ] as const) {
      const [got, want] = await bothProbabilities(fused, file, [t, n], t);
      expect(maxRelativeError(got, want)).toBeLessThanOrEqual(1e-5);
    }
  });

  it("runs the README's serving example (packages/onnx/examples/serve-lm.mjs) on the exported file", () => {
    const script = join(
      dirname(fileURLToPath(import.meta.url)),
      '..',
      '..',
      '..',
      'packages',
      'onnx',
      'examples',
      'serve-lm.mjs',
    );
    const vocab = JSON.parse(readFileSync(`${fused}-vocab.json`, 'utf8')) as Record<string, number>;
    const first = Object.keys(vocab).find((w) => vocab[w] === 5)!;
    const text = execFileSync(process.execPath, [script, join(dir, 'out', 'fused.onnx'), `${fused}-vocab.json`, first, '4'], {
      timeout: 60_000,
      encoding: 'utf8',
    }).trim();
    const words = text.split(' ');
    expect(words[0]).toBe(first);
    expect(words.length).toBeGreaterThanOrEqual(2);
    expect(words.length).toBeLessThanOrEqual(5);
    for (const w of words) expect(vocab[w]).toBeGreaterThan(0);
  });

  it('writes an unrolled checkpoint (cells fused into ONNX LSTM nodes) with free batch and sequence length', async () => {
    const file = join(dir, 'out', 'unrolled.onnx');
    const r = await cli('export', '--checkpoint', `${unrolled}:1`, '--out', file);
    expect(r.code).toBe(0);
    expect(r.out.join('\n')).toMatch(/input 'data' \(batch, seq_len\): token ids as float32/);
    for (const [n, t] of [
      [3, 6],
      [2, 11],
    ] as const) {
      const [got, want] = await bothProbabilities(unrolled, file, [n, t], t);
      expect(maxRelativeError(got, want)).toBeLessThanOrEqual(1e-5);
    }
  });

  it('refuses a missing epoch and a bad opset, saying why', async () => {
    const out = join(dir, 'out', 'x.onnx');
    const b = await cli('export', '--checkpoint', `${fused}:9`, '--out', out);
    expect(b.code).toBe(1);
    expect(b.err.join('\n')).toMatch(/checkpoint '.*:9' does not exist/);
    const c = await cli('export', '--checkpoint', `${fused}:1`, '--out', out, '--opset', '16');
    expect(c.code).toBe(1);
    expect(c.err.join('\n')).toMatch(/opset must be an integer from 13 to 15, got 16/);
  });
});
