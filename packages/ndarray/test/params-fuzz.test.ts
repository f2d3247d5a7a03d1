// The .params fuzzer (params-fuzz.ts) in a child process: a crash of the loader shows up as the
// child's signal, not as the death of this test worker. `pnpm fuzz:params` runs the long version.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function fuzz(args: string[]): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(root, 'bench/fuzz-params.ts'), ...args],
      { cwd: root, timeout: 120_000 },
      (err, stdout, stderr) => {
        const e = err as (Error & { code?: number; signal?: string }) | null;
        resolve({ code: e ? (e.code ?? null) : 0, signal: e?.signal ?? null, stdout, stderr });
      },
    );
  });
}

describe('.params fuzzing', () => {
  it('3,000 seeded mutations (huge and many dims included): each loads or raises FormatError, fast, leak-free', async () => {
    const run = await fuzz(['--seed', '2024', '--cases', '3000', '--max-case-ms', '2000']);
    expect(run.signal, `the loader crashed: ${run.stderr}`).toBeNull();
    const summary = JSON.parse(run.stdout) as { cases: number; loaded: number; rejected: number; failures: string[] };
    expect(summary.failures).toEqual([]);
    expect(run.code).toBe(0);
    expect(summary.cases).toBe(3000);
    expect(summary.loaded).toBeGreaterThan(100);
    expect(summary.rejected).toBeGreaterThan(2000);
  }, 150_000);
});
