// `bkt-train lm --kv-store dist_sync` and `dist_async` under bkt-launch: two workers train one model;
// only rank 0 prints, checkpoints and writes the log and report.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

import { loadParams } from '@bkt/module';
import { create, getUpdater } from '@bkt/optimizer';

import { mpiMissing, tsNode } from '../../../packages/kvstore/test/distributed/run-mpi.js';
import { readMetricsLog } from '../src/metrics-log.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bkt-dist-lm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `bkt-train lm` (a small model, `lmArgs` added) with `kvStore`, under `bkt-launch -n 2` plus `launchArgs`. */
function launchLm(
  kvStore: string,
  lmArgs: string[],
  launchArgs: string[] = [],
): ReturnType<typeof spawnSync> & { stdout: string; stderr: string } {
  const lm = [
    ...tsNode(join(root, 'apps/trainer/src/cli.ts')),
    'lm',
    '--sentences',
    '300',
    '--num-hidden',
    '16',
    '--num-embed',
    '16',
    '--batch-size',
    '8',
    '--num-buckets',
    '3',
    '--threads',
    '1',
    '--kv-store',
    kvStore,
    ...lmArgs,
  ];
  const launch = tsNode(join(root, 'packages/kvstore/src/launch/cli.ts'));
  return spawnSync(launch[0]!, [...launch.slice(1), '-n', '2', ...launchArgs, '--', ...lm], {
    encoding: 'utf8',
    timeout: 180_000,
    cwd: dir,
  });
}

describe.skipIf(mpiMissing !== null)('bkt-train lm under bkt-launch', () => {
  it('trains with --kv-store dist_sync on 2 workers', () => {
    const prefix = join(dir, 'runs', 'lm');
    const r = launchLm('dist_sync', ['--epochs', '1', '--checkpoint', prefix, '--log', join(dir, 'm.jsonl')]);
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('Distributed: 2 workers (dist_sync)');
    expect(r.stdout.match(/^Epoch 1\/1: train ppl/gm)).toHaveLength(1);
    expect(existsSync(`${prefix}-0001.params`)).toBe(true);
    expect(existsSync(`${prefix}-0001.states`)).toBe(true);
    const [rec] = readMetricsLog(join(dir, 'm.jsonl'));
    expect(Number.isFinite(rec!.train_ppl)).toBe(true);
    expect(readFileSync(`${prefix}-report.html`, 'utf8')).toContain('dist_sync');
  }, 200_000);

  it("trains with --kv-store dist_async on 2 workers and 1 server (bkt-launch -s 1), the checkpoint holding the servers' states, and resumes from it", () => {
    const prefix = join(dir, 'runs', 'async');
    const r = launchLm('dist_async', ['--epochs', '1', '--checkpoint', prefix, '--log', join(dir, 'a.jsonl')], ['-s', '1']);
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('Distributed: 2 workers (dist_async)');
    expect(r.stdout.match(/^Epoch 1\/1: train ppl/gm)).toHaveLength(1);
    expect(existsSync(`${prefix}-0001.params`)).toBe(true);
    // the optimizer states come from the server: one (default Adam) state per parameter, each updated
    const opt = create('adam');
    const states = getUpdater(opt);
    states.setStates(new Uint8Array(readFileSync(`${prefix}-0001.states`)));
    const { argParams } = loadParams(prefix, 1);
    expect([...states.states.keys()].sort()).toEqual(Object.keys(argParams).sort());
    for (const count of opt.indexUpdateCount.values()) expect(count).toBeGreaterThan(0);
    const [rec] = readMetricsLog(join(dir, 'a.jsonl'));
    expect(Number.isFinite(rec!.train_ppl)).toBe(true);

    // --resume sends the saved states to the server and trains the second epoch
    const again = launchLm('dist_async', ['--epochs', '2', '--resume', `${prefix}:1`], ['-s', '1']);
    expect(again.status, `${again.stdout}\n${again.stderr}`).toBe(0);
    expect(again.stdout.match(/^Epoch 2\/2: train ppl/gm)).toHaveLength(1);
    const resumed = getUpdater(create('adam'));
    resumed.setStates(new Uint8Array(readFileSync(`${prefix}-0002.states`)));
    for (const [key, count] of resumed.optimizer.indexUpdateCount) expect(count).toBeGreaterThan(opt.indexUpdateCount.get(key)!);
  }, 400_000);
});
