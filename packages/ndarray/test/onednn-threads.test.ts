// A oneDNN primitive is made on the thread that first runs its shape and may then run on another (a
// Worker's primitive on the main thread after the Worker exited): each primitive owns its scratchpad
// (dnnl_matmul.cc), so that gives the same product. In a child process, so a crash fails the test.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { describe, expect, it } from 'vitest';

const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/onednn-across-threads.ts');

describe('oneDNN primitives across threads', () => {
  it('runs a Worker-made primitive on the main thread after the Worker exited, with the same result', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', fixture], { timeout: 60_000 });
    const r = JSON.parse(stdout) as { workerError: number; mainError: number; backendOnMain: string; calls: number };
    expect(r.backendOnMain).toBe('onednn');
    expect(r.calls).toBe(2); // the Worker's call and the main thread's, one primitive
    // Sums of 200 products of numbers in [-1, 1]: float32 rounding of either library stays far below this.
    expect(r.workerError).toBeLessThan(1e-3);
    expect(r.mainError).toBeLessThan(1e-3);
  });
});
