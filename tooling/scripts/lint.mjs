#!/usr/bin/env node
// The project's code checks, from the repository root:
//   node tooling/scripts/lint.mjs            lint rules (Biome, biome.json) on the TypeScript and scripts, and the C++
//                                            include rules below — what `npm test` runs
//   node tooling/scripts/lint.mjs --check    also fail when a file is not formatted (Biome for TS, clang-format for C++)
//   node tooling/scripts/lint.mjs --write    format every file in place (Biome, then clang-format with .clang-format)
// C++ formatting needs Debian's clang-format (the bootstrap installs it in test mode); without it the
// C++ part is skipped with a message.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

// Every header guards itself with `#pragma once`, and only native/napi/ includes Node's headers: the
// kernels and the runtime are plain C++.
const NODE_HEADER = /^\s*#\s*include\s*[<"]((?:napi|node_api|js_native_api|node|uv)\.h)[>"]/m;

function cppIncludes() {
  const problems = [];
  for (const f of cppFiles()) {
    const text = readFileSync(join(root, f), 'utf8');
    if (f.endsWith('.h') && !/^#pragma once\s*$/m.test(text)) problems.push(`${f}: a header needs #pragma once`);
    const node = f.includes('/native/napi/') ? null : NODE_HEADER.exec(text);
    if (node) problems.push(`${f}: includes ${node[1]}; only native/napi/ may use Node's headers`);
  }
  for (const p of problems) console.error(`lint: ${p}`);
  return problems.length === 0;
}

let ok = true;
if (mode === 'lint') {
  const rules = run(biome, ['lint', '--max-diagnostics=50']);
  ok = cppIncludes() && rules;
} else if (mode === '--check') {
  const checked = run(biome, ['check', '--max-diagnostics=50']);
  ok = cppIncludes() && checked && clangFormat(['--dry-run', '-Werror']);
} else {
  ok = run(biome, ['format', '--write']) && clangFormat(['-i']);
}
process.exit(ok ? 0 : 1);
