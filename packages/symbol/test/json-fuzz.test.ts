// The symbol-JSON fuzzer in CI: a few thousand seeded mutations of real symbols, run in a child
// process so that a crash or a hang fails this test instead of killing the runner. Every case must
// end in a successful load or a BktError, within the per-case limit (see fuzz/symbol-json-fuzz.ts;
// `pnpm --filter @bkt/symbol fuzz:json` is the long run).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CASES = 3000;
const CHILD_LIMIT_MS = 150_000;

interface Summary {
  cases: number;
  loaded: number;
  errors: Record<string, number>;
  failures: { case: number; problem: string; replay: string }[];
  slowestMs: number;
}

function runFuzzer(args: string[]): Promise<{ code: number | null; signal: string | null; out: string; err: string }> {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', join(root, 'fuzz/symbol-json-fuzz.ts'), ...args],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_LIMIT_MS);
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, err });
    }),
  );
}

describe('symbol JSON fuzzing', () => {
  it(
    `loads ${CASES} mutated symbol JSONs with only typed errors, none slow, in a child process`,
    async () => {
      const { code, signal, out, err } = await runFuzzer(['--seed', '20261207', '--cases', String(CASES), '--max-ms', '3000']);
      expect(signal, `the fuzzer was killed (crash or over ${CHILD_LIMIT_MS} ms); stderr: ${err.slice(-2000)}`).toBeNull();
      const summary = JSON.parse(out.trim().split('\n').pop()!) as Summary;
      expect(summary.failures).toEqual([]);
      expect(code).toBe(0);
      expect(summary.cases).toBe(CASES);
      // The mutations reach both outcomes: symbols that still load (and are inferred and round-tripped)
      // and documents the reader rejects.
      expect(summary.loaded).toBeGreaterThan(CASES * 0.05);
      expect(summary.errors.FormatError ?? 0).toBeGreaterThan(CASES * 0.3);
    },
    CHILD_LIMIT_MS + 10_000,
  );
});
