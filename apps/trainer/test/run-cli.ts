// Two ways the tests run bkt-train: in this process through the command-line parser (fast; what it
// printed is captured), or as a child process from the TypeScript sources (signals, exit codes, hangs).
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';
import { buildProgram } from '../src/program.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs bkt-train with `args` in this process; returns the exit code and what it printed. */
export async function cliInProcess(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  process.exitCode = 0;
  try {
    await buildProgram().parseAsync(['node', 'bkt-train', ...args]);
    return { code: Number(process.exitCode ?? 0), out, err };
  } finally {
    log.mockRestore();
    error.mockRestore();
    process.exitCode = 0;
  }
}

/** Starts bkt-train as a child process (stdout and stderr piped). */
export function spawnCli(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(root, 'src/cli.ts'), ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Resolves when the child exits, with its code (null when a signal ended it) and everything it
 * printed; a child still running after `timeoutMs` is killed and the promise rejects.
 */
export function finished(
  child: ChildProcess,
  timeoutMs = 60_000,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bkt-train did not finish within ${timeoutMs} ms; it printed:\n${out}`));
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out });
    });
  });
}
