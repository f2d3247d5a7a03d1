#!/usr/bin/env node
// The project's code checks, from the repository root:
//   node tooling/scripts/lint.mjs            lint rules (Biome, biome.json) on the TypeScript and scripts — what `npm test` runs
//   node tooling/scripts/lint.mjs --check    also fail when a file is not formatted (Biome for TS, clang-format for C++)
//   node tooling/scripts/lint.mjs --write    format every file in place (Biome, then clang-format with .clang-format)
// C++ formatting needs Debian's clang-format (the bootstrap installs it in test mode); without it the
// C++ part is skipped with a message.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const mode = process.argv[2] ?? 'lint';
if (!['lint', '--check', '--write'].includes(mode)) {
  console.error(`lint.mjs: unknown argument '${mode}'; use --check or --write, or nothing`);
  process.exit(2);
}

const biome = join(root, 'node_modules', '.bin', 'biome');
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status === 0;

function cppFiles() {
  const r = spawnSync('git', ['ls-files', '-z', '--', 'packages/*/native/*.cc', 'packages/*/native/*.h'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (r.status !== 0) return [];
  return r.stdout.split('\0').filter((f) => f && !f.endsWith('.gen.h'));
}

function clangFormat(args) {
  if (spawnSync('clang-format', ['--version'], { stdio: 'ignore' }).status !== 0) {
    console.log('lint: clang-format is not installed (apt-get install clang-format): C++ formatting skipped');
    return true;
  }
  const files = cppFiles();
  return files.length === 0 || run('clang-format', [...args, ...files]);
}

let ok = true;
if (mode === 'lint') {
  ok = run(biome, ['lint', '--max-diagnostics=50']);
} else if (mode === '--check') {
  ok = run(biome, ['check', '--max-diagnostics=50']) && clangFormat(['--dry-run', '-Werror']);
} else {
  ok = run(biome, ['format', '--write']) && clangFormat(['-i']);
}
process.exit(ok ? 0 : 1);
