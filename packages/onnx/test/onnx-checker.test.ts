// The exported files pass ONNX's own checker (Debian's python3-onnx), when it is installed.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seed } from '@bkt/ndarray';
import { afterAll, describe, expect, it } from 'vitest';
import { exportONNX } from '../src/index.js';
import { randomParams } from './helpers.js';
import { cnn, lm, mlp } from './models.js';

const PYTHON = '/usr/bin/python3';
const probe = spawnSync(PYTHON, ['-c', 'import onnx'], { timeout: 60_000 });
const reason = probe.error
  ? `${PYTHON} is missing`
  : probe.status !== 0
    ? 'python3-onnx is not installed (apt-get install python3-onnx)'
    : '';
if (reason) console.log(`onnx-checker tests skipped: ${reason}`);

const CHECK =
  'import onnx, sys\nfor p in sys.argv[1:]:\n    onnx.checker.check_model(onnx.load(p), full_check=True)\nprint("ok", len(sys.argv) - 1)';

describe.skipIf(reason !== '')('onnx.checker accepts the exported files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bkt-onnx-check-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('MLP, CNN, fused and unrolled LSTM/GRU LMs (full check, with shape inference)', () => {
    seed(6);
    const files: string[] = [];
    const write = (
      name: string,
      sym: ReturnType<typeof mlp>,
      shapes: Record<string, number[]>,
      data: number[],
      dynamicAxes = {},
    ) => {
      const p = randomParams(sym, shapes);
      const file = join(dir, `${name}.onnx`);
      writeFileSync(file, exportONNX(sym, p.argParams, p.auxParams, { inputShapes: { data }, dynamicAxes }));
      files.push(file);
    };
    write('mlp', mlp(), { data: [4, 12] }, [4, 12], { data: { 0: 'batch' } });
    write('cnn', cnn(), { data: [2, 2, 8, 8] }, [2, 2, 8, 8], { data: { 0: 'batch' } });
    for (const cell of ['lstm', 'gru'] as const) {
      write(`${cell}-fused`, lm(cell, true, 5), { data: [5, 3], softmax_label: [5, 3] }, [5, 3], {
        data: { 0: 'seq_len', 1: 'batch' },
      });
      write(`${cell}-unrolled`, lm(cell, false, 4), { data: [3, 4], softmax_label: [3, 4] }, [3, 4]);
    }
    const out = execFileSync(PYTHON, ['-c', CHECK, ...files], { timeout: 120_000, encoding: 'utf8' });
    expect(out.trim()).toBe(`ok ${files.length}`);
  });
});
