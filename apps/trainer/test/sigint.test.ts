// Ctrl-C: a child `bkt-train lm` gets SIGINT mid-epoch, finishes its batch, writes a final
// checkpoint and the report, and exits 0; the checkpoint then resumes.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { finished, spawnCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'bkt-sigint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = spawnCli;

describe('Ctrl-C', () => {
  it('stops after the current batch, checkpoints, reports and exits 0', async () => {
    const prefix = join(dir, 'run');
    // many batches of a small model, so the signal lands mid-epoch
    const child = cli([
      'lm',
      '--sentences',
      '3000',
      '--num-hidden',
      '16',
      '--num-embed',
      '16',
      '--batch-size',
      '4',
      '--epochs',
      '5',
      '--disp-batches',
      '20',
      '--checkpoint',
      prefix,
    ]);
    let sent = false;
    child.stdout!.on('data', (d: Buffer) => {
      if (!sent && /Epoch\[0\] Batch \[0-20\]/.test(d.toString())) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const { code, out } = await finished(child);
    expect(out).toMatch(/Interrupted: finishing the current batch/);
    expect(code).toBe(0);
    expect(out).toMatch(/Stopped in epoch 1 after \d+ of \d+ batches; saved .*run-0000\.params \(continue with --resume .*run:0/);
    expect(existsSync(`${prefix}-0000.params`)).toBe(true);
    expect(existsSync(`${prefix}-0000.states`)).toBe(true);
    expect(readFileSync(`${prefix}-report.html`, 'utf8')).toMatch(/interrupted in epoch 1/);

    const resumed = await finished(
      cli(['lm', '--batch-size', '4', '--epochs', '1', '--disp-batches', '1000', '--resume', `${prefix}:0`]),
    );
    expect(resumed.code).toBe(0);
    expect(resumed.out).toMatch(/Epoch 1\/1: train ppl [\d.]+/);
    expect(existsSync(`${prefix}-0001.params`)).toBe(true);
  }, 60_000);
});
