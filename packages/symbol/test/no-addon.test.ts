// @bkt/symbol only describes computations: it takes errors and dtypes from `@bkt/ndarray/core`, so
// importing it must not load the native addon (issue 14). Checked in a fresh process that counts
// process.dlopen calls; importing @bkt/ndarray itself is the control that the count can move.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

async function addonsLoadedBy(specifier: string): Promise<number> {
  const script = [
    'let loaded = 0;',
    'const dlopen = process.dlopen;',
    'process.dlopen = (...args) => { loaded++; return dlopen.apply(process, args); };',
    `const m = await import(${JSON.stringify(specifier)});`,
    'if (Object.keys(m).length === 0) throw new Error("empty module");',
    'process.stdout.write(String(loaded));',
  ].join('\n');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: root, timeout: 60_000 },
  );
  return Number(stdout);
}

describe('loading @bkt/symbol', () => {
  it('does not load the native addon', async () => {
    expect(await addonsLoadedBy('@bkt/symbol')).toBe(0);
  }, 90_000);

  it('while @bkt/ndarray does (the control)', async () => {
    expect(await addonsLoadedBy('@bkt/ndarray')).toBe(1);
  }, 90_000);
});
