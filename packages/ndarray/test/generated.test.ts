// The files tooling/scripts/gen-op-ids.mjs generates (kernel ids, kernel attribute enums, structs and
// tables, for C++ and TS) are build outputs: a declaration edited without rerunning the build leaves
// them stale, which this catches before a kernel reads attributes in a layout TS no longer packs.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const script = join(pkg, '../../tooling/scripts/gen-op-ids.mjs');
const GENERATED = [
  'native/include/bkt/op_ids.gen.h',
  'native/include/bkt/kernel_enums.gen.h',
  'native/include/bkt/kernel_attrs.gen.h',
  'src/op-ids.gen.ts',
  'src/kernel-attrs.gen.ts',
];

const check = (dir: string) => spawnSync(process.execPath, [script, dir, '--check'], { encoding: 'utf8', timeout: 60_000 });

describe('generated kernel ids and attributes', () => {
  it('are up to date with src/op-ids.json and src/kernel-attrs.json', () => {
    const r = check(pkg);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('are reported stale, by file, after a declaration changes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bkt-gen-'));
    try {
      for (const rel of [...GENERATED, 'src/op-ids.json', 'src/kernel-attrs.json']) {
        mkdirSync(dirname(join(dir, rel)), { recursive: true });
        copyFileSync(join(pkg, rel), join(dir, rel));
      }
      expect(check(dir).status).toBe(0);
      const decl = JSON.parse(readFileSync(join(dir, 'src/kernel-attrs.json'), 'utf8'));
      decl.enums.PoolType.push('median');
      writeFileSync(join(dir, 'src/kernel-attrs.json'), JSON.stringify(decl));
      const r = check(dir);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/stale generated files .*native\/include\/bkt\/kernel_enums\.gen\.h, src\/kernel-attrs\.gen\.ts/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
