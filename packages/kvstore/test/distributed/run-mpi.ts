// Starts a TS script (relative to this folder, or absolute) on N local MPI ranks (loopback only,
// through bkt-launch's command builder) and collects what the ranks report (report.ts: one JSON file
// per rank in a directory given to them). The run is bounded in time and its whole process group is
// killed when it overruns. `mpiMissing` says why MPI tests skip, or null.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { mpiAddonPath } from '../../src/distributed/mpi.js';
import { mpirunCommand } from '../../src/launch/mpirun-command.js';

export const here = dirname(fileURLToPath(import.meta.url));

function whyMissing(): string | null {
  if (spawnSync('mpirun', ['--version'], { stdio: 'ignore' }).status !== 0)
    return 'mpirun not found (apt-get install openmpi-bin libopenmpi-dev)';
  if (!existsSync(mpiAddonPath)) return `the MPI addon is not built (${mpiAddonPath}; pnpm --filter @bkt/kvstore build:native)`;
  return null;
}

export const mpiMissing = whyMissing();
if (mpiMissing !== null) console.warn(`skipping the MPI tests: ${mpiMissing}`);

/** tsx's loader by absolute path, so a child may run in any folder. */
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** How a TS file runs in a child: through tsx, resolving @bkt packages to their sources. */
export const tsNode = (script: string): string[] => [process.execPath, '--conditions=source', '--import', tsxLoader, script];

export interface MpiRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** What the ranks reported, sorted by their `rank`. */
  results: Record<string, unknown>[];
  elapsedMs: number;
  /** When mpirun ended (Date.now()). */
  endedAt: number;
}

export function runMpi(
  np: number,
  script: string,
  args: readonly string[] = [],
  opts: { timeoutMs?: number; env?: Record<string, string>; numServers?: number } = {},
): Promise<MpiRun> {
  const cmd = mpirunCommand({
    numWorkers: np,
    numServers: opts.numServers,
    command: [...tsNode(resolve(here, script)), ...args],
    isRoot: process.getuid?.() === 0,
  });
  const started = Date.now();
  const resultDir = mkdtempSync(join(tmpdir(), 'bkt-mpi-results-'));
  const env = { ...process.env, ...cmd.env, ...opts.env, BKT_TEST_RESULT_DIR: resultDir };
  const child = spawn(cmd.file, cmd.args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => {
    stderr += `\n[run-mpi] killed after ${opts.timeoutMs ?? 60_000} ms\n`;
    process.kill(-child.pid!, 'SIGKILL');
  }, opts.timeoutMs ?? 60_000);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const results = readdirSync(resultDir)
        .map((f) => JSON.parse(readFileSync(join(resultDir, f), 'utf8')) as Record<string, unknown>)
        .sort((a, b) => (a['rank'] as number) - (b['rank'] as number));
      rmSync(resultDir, { recursive: true, force: true });
      const endedAt = Date.now();
      resolve({ code, signal, stdout, stderr, results, elapsedMs: endedAt - started, endedAt });
    });
  });
}
