#!/usr/bin/env node
// bkt-launch -n WORKERS [-s SERVERS] [-H HOSTFILE] [--dry-run] -- COMMAND ...
// Runs COMMAND on WORKERS MPI ranks through mpirun (MXNet's tools/launch.py --launcher mpi); every
// rank that creates a 'dist_sync' kvstore joins the job; with -s, the last SERVERS ranks become the
// servers of a 'dist_async' store. Without a hostfile every rank runs here and
// all traffic stays on loopback. --dry-run prints the mpirun command instead of running it.
import { spawn, spawnSync } from 'node:child_process';

import { BktError } from '@bkt/ndarray';

import { parseLaunchArgs } from './launch-args.js';
import { mpirunCommand } from './mpirun-command.js';

function main(argv: readonly string[]): number {
  const args = parseLaunchArgs(argv);
  const cmd = mpirunCommand({
    numWorkers: args.numWorkers,
    numServers: args.numServers,
    hostfile: args.hostfile,
    command: args.command,
    isRoot: process.getuid?.() === 0,
  });
  const envText = Object.entries(cmd.env)
    .map(([k, v]) => `${k}=${v} `)
    .join('');
  if (args.dryRun) {
    console.log(`${envText}${cmd.file} ${cmd.args.join(' ')}`);
    return 0;
  }
  if (spawnSync(cmd.file, ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new BktError('bkt-launch: mpirun not found; install Open MPI with `apt-get install openmpi-bin libopenmpi-dev`');
  }
  const child = spawn(cmd.file, cmd.args, { stdio: 'inherit', env: { ...process.env, ...cmd.env } });
  // mpirun forwards these to the ranks and ends the job; the launcher waits for it.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('close', (code, signal) => process.exit(code ?? (signal === null ? 1 : 128 + 15)));
  return -1;
}

try {
  const code = main(process.argv.slice(2));
  if (code >= 0) process.exit(code);
} catch (e) {
  console.error(e instanceof BktError ? e.message : e);
  process.exit(2);
}
