// bkt-launch: the mpirun command it builds (loopback only without a hostfile, root allowed when root)
// and a real 2-rank job started through it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ValueError } from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';

import { parseLaunchArgs } from '../../src/launch/launch-args.js';
import { LOOPBACK_MCA, mpirunCommand } from '../../src/launch/mpirun-command.js';
import { here, mpiMissing, tsNode } from './run-mpi.js';

const cli = join(here, '..', '..', 'src', 'launch', 'cli.ts');
const launch = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(tsNode(cli)[0]!, [...tsNode(cli).slice(1), ...args], {
    encoding: 'utf8',
    timeout: 90_000,
    env: { ...process.env, ...env },
  });

describe('bkt-launch command', () => {
  it('without a hostfile keeps every rank local and all MPI traffic on loopback', () => {
    const cmd = mpirunCommand({ numWorkers: 3, command: ['node', 'train.js'], isRoot: false });
    expect(cmd.file).toBe('mpirun');
    expect(cmd.args.slice(0, 2)).toEqual(['-np', '3']);
    const joined = cmd.args.join(' ');
    expect(joined).toContain('--mca btl self,vader,tcp --mca btl_tcp_if_include lo --mca oob_tcp_if_include lo');
    expect(joined).toContain('--oversubscribe');
    expect(cmd.args.slice(-2)).toEqual(['node', 'train.js']);
    expect(cmd.env).toEqual({});
  });

  it('with a hostfile passes it on and sets no interface; as root it allows running as root', () => {
    const cmd = mpirunCommand({ numWorkers: 4, hostfile: 'hosts.txt', command: ['x'], isRoot: true });
    expect(cmd.args.join(' ')).toContain('--hostfile hosts.txt');
    for (const opt of LOOPBACK_MCA.filter((o) => o !== '--mca')) expect(cmd.args).not.toContain(opt);
    expect(cmd.env).toEqual({ OMPI_ALLOW_RUN_AS_ROOT: '1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1' });
  });

  it('parses MXNet launch.py-style options and rejects bad ones with a ValueError', () => {
    expect(parseLaunchArgs(['-n', '2', '-H', 'h', '--', 'a', '-n', '5'])).toEqual({
      numWorkers: 2,
      numServers: 0,
      hostfile: 'h',
      dryRun: false,
      command: ['a', '-n', '5'],
    });
    expect(() => parseLaunchArgs(['-n', '2', 'a'])).toThrow(/give the command after --/);
    expect(() => parseLaunchArgs(['-n', '0', '--', 'a'])).toThrow(ValueError);
    expect(() => parseLaunchArgs(['-n', 'two', '--', 'a'])).toThrow(/-n needs an integer >= 1, got two/);
    expect(() => parseLaunchArgs(['--', 'a'])).toThrow(/-n WORKERS is required/);
    expect(() => parseLaunchArgs(['-n', '2', '--wat', '--', 'a'])).toThrow(/unknown option '--wat'/);
    expect(parseLaunchArgs(['-n', '2', '-s', '1', '--', 'a']).numServers).toBe(1);
    expect(() => parseLaunchArgs(['-n', '2', '-s', 'x', '--', 'a'])).toThrow(/-s needs an integer >= 0/);
    const withServers = mpirunCommand({ numWorkers: 2, numServers: 1, command: ['a'], isRoot: false });
    expect(withServers.args.slice(0, 2)).toEqual(['-np', '3']);
    expect(withServers.env).toEqual({ DMLC_NUM_SERVER: '1', DMLC_NUM_WORKER: '2' });
  });

  it('--dry-run prints the mpirun line with the loopback options; a bad option exits 2 with the usage', () => {
    const dry = launch(['-n', '2', '--dry-run', '--', 'node', 'x.js']);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain(
      'mpirun -np 2 --oversubscribe --bind-to none --mca btl self,vader,tcp --mca btl_tcp_if_include lo --mca oob_tcp_if_include lo node x.js',
    );
    const bad = launch(['-n', 'x', '--', 'node']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('usage: bkt-launch');
  });

  it.skipIf(mpiMissing !== null)('runs a 2-rank dist_sync job', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bkt-launch-'));
    const r = launch(['-n', '2', '--', ...tsNode(join(here, 'launch-worker.ts'))], { BKT_TEST_RESULT_DIR: dir });
    expect(r.status, r.stderr).toBe(0);
    const results = readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, number>);
    expect(results.map((x) => x['rank']).sort()).toEqual([0, 1]);
    for (const x of results) expect(x).toMatchObject({ numWorkers: 2, sum: 3 });
  });
});
