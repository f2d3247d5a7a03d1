// A model written by PyTorch (torch.onnx.export of an LSTM LM, generated here with Debian's
// python3-torch) scores the same in bkt as in PyTorch: the same log-probabilities, at two sequence
// lengths, from one file whose begin states PyTorch builds from the input's shape.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { importONNX } from '../src/index.js';
import { bktForward, relativeError } from './helpers.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'torch_lm.py');
const probe = spawnSync(PYTHON, ['-c', 'import torch, torch.onnx'], { timeout: 120_000 });
const reason = probe.error
  ? `${PYTHON} is missing`
  : probe.status !== 0
    ? 'python3-torch is not installed (apt-get install python3-torch)'
    : '';
if (reason) console.log(`PyTorch import test skipped: ${reason}`);

interface Cases {
  vocab: number;
  cases: { shape: [number, number]; tokens: number[]; logprob: number[] }[];
}

describe.skipIf(reason !== '')('importONNX of a PyTorch LSTM LM', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bkt-onnx-torch-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives PyTorch log-probabilities and perplexity at sequence lengths 5 and 9', () => {
    const run = spawnSync(PYTHON, [SCRIPT, dir], { timeout: 300_000, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const { vocab, cases } = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as Cases;
    const model = importONNX(readFileSync(join(dir, 'lm.onnx')));
    expect(model.inputs).toEqual([{ name: 'data', shape: ['seq_len', 'batch'] }]);
    for (const c of cases) {
      const [got] = bktForward(model.symbol, model.argParams, model.auxParams, {
        data: { shape: c.shape, data: Float32Array.from(c.tokens) },
      });
      const want = Float32Array.from(c.logprob);
      expect(got!.length).toBe(c.shape[0] * c.shape[1] * vocab);
      expect(relativeError(got!, want)).toBeLessThanOrEqual(1e-5);
      // Perplexity of predicting each next token of every column, as a user scores a corpus.
      const ppl = (lp: Float32Array) => {
        const [T, N] = c.shape;
        let nll = 0;
        for (let t = 0; t + 1 < T; t++) for (let n = 0; n < N; n++) nll -= lp[(t * N + n) * vocab + c.tokens[(t + 1) * N + n]!]!;
        return Math.exp(nll / ((T - 1) * N));
      };
      expect(Math.abs(ppl(got!) - ppl(want)) / ppl(want)).toBeLessThan(1e-5);
    }
  });
});
