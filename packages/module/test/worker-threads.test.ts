// The addon keeps its state per JS environment (issue 14), so Workers can train: one Worker, and two at
// once, each get the main thread's model, and the process exits cleanly afterwards (no crash while
// Node tears the environments down). Runs in a child process so its exit status can be checked.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

interface Run {
  accuracy: number;
  params: Record<string, number[]>;
  liveHandles: number;
}

async function trainInWorkers(workers: number): Promise<{ main: Run; workers: Run[]; stderr: string }> {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', join(root, 'test/fixtures/train-in-workers.ts'), String(workers)],
    { cwd: root, timeout: 120_000 },
  );
  return { ...(JSON.parse(stdout) as { main: Run; workers: Run[] }), stderr };
}

function expectSameModel(got: Run, want: Run): void {
  expect(got.accuracy).toBeGreaterThan(0.93);
  expect(Object.keys(got.params).sort()).toEqual(Object.keys(want.params).sort());
  for (const [name, values] of Object.entries(want.params)) {
    const other = got.params[name]!;
    expect(other.length).toBe(values.length);
    // The thread pool serves one Worker at a time and runs the other's loops inline, which may sum in
    // another order; the models agree to float32 rounding.
    for (let i = 0; i < values.length; i++)
      expect(Math.abs(other[i]! - values[i]!)).toBeLessThan(1e-4 * (1 + Math.abs(values[i]!)));
  }
}

describe('training in worker_threads', () => {
  it('trains in one Worker as on the main thread, and the process exits cleanly', async () => {
    const { main, workers, stderr } = await trainInWorkers(1);
    expect(workers).toHaveLength(1);
    expectSameModel(workers[0]!, main);
    expect(stderr).toBe('');
  }, 150_000);

  it('trains in two Workers at once, each with its own arrays and generator', async () => {
    const { main, workers, stderr } = await trainInWorkers(2);
    expect(workers).toHaveLength(2);
    for (const run of workers) expectSameModel(run, main);
    // Each environment counts only its own handles: the Workers' arrays are not in the main table.
    expect(workers[0]!.liveHandles).toBeGreaterThan(0);
    expect(main.liveHandles).toBe(workers[0]!.liveHandles);
    expect(stderr).toBe('');
  }, 150_000);
});
