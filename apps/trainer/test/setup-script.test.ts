// `npm run setup` then `npm run bkt-train`: setup must build what the bkt-train script runs, and the
// script says how to build it when it is missing (not Node's MODULE_NOT_FOUND trace). Setup runs here
// with a stand-in pnpm that records its commands (the real build takes minutes); the launcher runs
// from a copy in a scratch tree, with and without a dist/cli.js.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'bkt-setup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const rootPackage = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  packageManager: string;
};

describe('npm run setup, then npm run bkt-train', () => {
  it('setup builds bkt-train and the packages it imports', () => {
    const bin = join(dir, 'bin');
    const log = join(dir, 'pnpm.log');
    mkdirSync(bin);
    const version = rootPackage.packageManager.split('@')[1];
    writeFileSync(
      join(bin, 'pnpm'),
      `#!/bin/sh\nif [ "$1" = "--version" ]; then echo ${version}; exit 0; fi\necho "$@" >> "${log}"\n`,
    );
    chmodSync(join(bin, 'pnpm'), 0o755);
    const r = spawnSync(process.execPath, [join(repo, 'tooling', 'scripts', 'bootstrap.mjs')], {
      cwd: repo,
      env: { ...process.env, PATH: `${bin}${delimiter}${process.env['PATH']}`, CI: '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    const commands = readFileSync(log, 'utf8').trim().split('\n');
    expect(commands[0]).toMatch(/^install /);
    expect(commands).toContain('exec turbo run build --filter=@bkt/trainer... --output-logs=errors-only');
  }, 70_000);

  it('the bkt-train script runs the built CLI, or says to run setup when it is missing', () => {
    expect(rootPackage.scripts['bkt-train']).toBe('node tooling/scripts/bkt-train.mjs');
    const trainerPackage = JSON.parse(readFileSync(join(repo, 'apps', 'trainer', 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    expect(trainerPackage.bin['bkt-train']).toBe('./dist/cli.js');
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'tooling', 'scripts'), { recursive: true });
    copyFileSync(join(repo, 'tooling', 'scripts', 'bkt-train.mjs'), join(tree, 'tooling', 'scripts', 'bkt-train.mjs'));
    const launch = () =>
      spawnSync(process.execPath, [join(tree, 'tooling', 'scripts', 'bkt-train.mjs'), 'eval', '--json'], {
        encoding: 'utf8',
        timeout: 30_000,
      });
    const missing = launch();
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim()).toBe(
      'bkt-train is not built yet: run `npm run setup` (it builds it), then this command again.',
    );
    mkdirSync(join(tree, 'apps', 'trainer', 'dist'), { recursive: true });
    writeFileSync(join(tree, 'apps', 'trainer', 'dist', 'cli.js'), 'console.log(JSON.stringify(process.argv.slice(2)));\n');
    const built = launch();
    expect(built.status).toBe(0);
    expect(JSON.parse(built.stdout)).toEqual(['eval', '--json']);
  }, 70_000);
});
