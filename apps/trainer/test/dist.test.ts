// `bkt-train lm --kv-store dist_sync` under bkt-launch: two workers train one model; only rank 0 prints,
// checkpoints and writes the log and report.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

import { mpiMissing, tsNode } from '../../../packages/kvstore/test/distributed/run-mpi.js';
import { readMetricsLog } from '../src/metrics-log.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bkt-dist-lm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(mpiMissing !== null)('bkt-train lm under bkt-launch', () => {
  it('trains with --kv-store dist_sync on 2 workers', () => {
    const prefix = join(dir, 'runs', 'lm');
    const lm = [...tsNode(join(root, 'apps/trainer/src/cli.ts')), 'lm', '--sentences', '300', '--num-hidden', '16', '--num-embed', '16', '--batch-size', '8',
      '--num-buckets', '3', '--epochs', '1', '--threads', '1', '--kv-store', 'dist_sync', '--checkpoint', prefix, '--log', join(dir, 'm.jsonl')];
    const r = spawnSync(tsNode(join(root, 'packages/kvstore/src/launch/cli.ts'))[0]!, [...tsNode(join(root, 'packages/kvstore/src/launch/cli.ts')).slice(1), '-n', '2', '--', ...lm], {
      encoding: 'utf8',
      timeout: 180_000,
      cwd: dir,
    });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('Distributed: 2 workers (dist_sync)');
    expect(r.stdout.match(/^Epoch 1\/1: train ppl/gm)).toHaveLength(1);
    expect(existsSync(`${prefix}-0001.params`)).toBe(true);
    expect(existsSync(`${prefix}-0001.states`)).toBe(true);
    const [rec] = readMetricsLog(join(dir, 'm.jsonl'));
    expect(Number.isFinite(rec!.train_ppl)).toBe(true);
    expect(readFileSync(`${prefix}-report.html`, 'utf8')).toContain('dist_sync');
  }, 200_000);
});
