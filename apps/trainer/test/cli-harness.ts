// Runs bkt-train in-process through its command-line parser, capturing what it prints.

import { vi } from 'vitest';
import { buildProgram } from '../src/program.js';

/** Runs bkt-train with `args`; resolves with the exit code and what it printed. */
export async function cli(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
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
