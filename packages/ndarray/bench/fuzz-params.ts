// The .params fuzzer (test/params-fuzz.ts) as a command, run in its own process so a crash shows
// as a signal instead of killing the caller:
//   pnpm fuzz:params                                   # 100,000 cases from seed 1
//   pnpm fuzz:params -- --seed 7 --cases 5000 --from 0 --max-case-ms 2000
// Prints one JSON summary line ({cases, loaded, rejected, slowestMs, failures}) and exits 1 when a
// case raised anything but FormatError, ran past the time bound, or a handle leaked. Case i depends
// only on (seed, i): `--from i --cases 1` replays it alone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { runParamsFuzz } from '../test/params-fuzz.js';

function intFlag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(v) || v < 0) {
    console.error(`fuzz-params: --${name} must be a non-negative integer, got ${process.argv[i + 1]}`);
    process.exit(2);
  }
  return v;
}

const dir = mkdtempSync(join(tmpdir(), 'bkt-fuzz-params-'));
try {
  const summary = runParamsFuzz({
    seed: intFlag('seed', 1),
    from: intFlag('from', 0),
    cases: intFlag('cases', 100_000),
    maxCaseMs: intFlag('max-case-ms', 2000),
    fileEvery: 16,
    dir,
  });
  console.log(JSON.stringify({ ...summary, failures: summary.failures.slice(0, 20) }));
  process.exitCode = summary.failures.length === 0 ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
