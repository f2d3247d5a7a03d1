#!/usr/bin/env node
// The one entry point for a fresh machine (Debian with only Node 20 and npm):
//   node tooling/scripts/bootstrap.mjs        set up: system libraries, pnpm, dependencies, native addon,
//                                             and bkt-train (so `npm run bkt-train` works next)
//   node tooling/scripts/bootstrap.mjs test   the same, then every test of every package
//   node tooling/scripts/bootstrap.mjs train [bkt-train lm options]
//                                             the same, then builds bkt-train and trains the default
//                                             language model on the built-in corpus (into runs/default/)
// System packages are installed with apt-get when missing and we are root; otherwise we say what to install.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const mode = process.argv[2] ?? 'setup';
const PNPM_VERSION = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];

const log = (msg) => console.log(`[bkt setup] ${msg}`);
const die = (msg) => {
  console.error(`[bkt setup] ${msg}`);
  process.exit(1);
};
const has = (cmd, args = ['--version']) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) die(`'${cmd} ${args.join(' ')}' failed (exit ${r.status ?? r.signal})`);
};

function ensureNode() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 20) die(`Node ${process.versions.node} is too old: bkt needs Node 20 or newer.`);
}

function openblasPresent() {
  if (spawnSync('pkg-config', ['--exists', 'openblas'], { stdio: 'ignore' }).status === 0) return true;
  const libdirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib', '/usr/local/lib'];
  const lib = libdirs.some((d) => existsSync(join(d, 'libopenblas.so')));
  const header = ['/usr/include/x86_64-linux-gnu/cblas.h', '/usr/include/cblas.h', '/usr/include/openblas/cblas.h'].some((p) =>
    existsSync(p),
  );
  return lib && header;
}

// Debian's oneDNN: the library and its C++ header (libdnnl-dev).
function oneDnnPresent() {
  const libdirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib', '/usr/local/lib'];
  return (
    libdirs.some((d) => existsSync(join(d, 'libdnnl.so'))) &&
    ['/usr/include/oneapi/dnnl/dnnl.hpp', '/usr/local/include/oneapi/dnnl/dnnl.hpp'].some((p) => existsSync(p))
  );
}

// Open MPI's launcher and its C headers (mpicxx --showme reads both).
function mpiPresent() {
  return has('mpirun') && has('mpicxx', ['--showme:compile']);
}

// Required packages stop the setup when they cannot be installed. The wanted ones do not: Open MPI
// (@bkt/kvstore's MPI addon is built only when it is present; without it only create('dist_*') fails),
// and, for `test` only, Debian's chromium, qemu-user and clang-format; when one cannot be installed, what
// needs it skips.
const optionalFor = {
  'openmpi-bin': 'the dist_* kvstores and their tests',
  'libopenmpi-dev': 'the dist_* kvstores and their tests',
  chromium: 'the report render test',
  'qemu-user': 'the test that runs the prebuilt addon on a CPU without AVX-512',
  'clang-format': 'the C++ format check (pnpm format:check)',
};
function ensureSystemPackages() {
  const missing = [];
  if (!openblasPresent()) missing.push('libopenblas-dev');
  if (!oneDnnPresent()) missing.push('libdnnl-dev');
  if (!has('pkg-config')) missing.push('pkg-config');
  if (!has('g++')) missing.push('g++');
  if (!has('make')) missing.push('make');
  if (!has('python3')) missing.push('python3');
  const wanted = [];
  if (!mpiPresent()) wanted.push('openmpi-bin', 'libopenmpi-dev');
  if (mode === 'test' && !existsSync('/usr/bin/chromium')) wanted.push('chromium');
  if (mode === 'test' && process.arch === 'x64' && !has('qemu-x86_64', ['-version'])) wanted.push('qemu-user');
  if (mode === 'test' && !has('clang-format')) wanted.push('clang-format');
  if (missing.length === 0 && wanted.length === 0) return;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !has('apt-get', ['--version'])) {
    if (missing.length > 0) {
      die(
        `missing system packages: ${missing.join(' ')}.\n` +
          `  Install them and run again, e.g.: sudo apt-get install -y ${missing.join(' ')}`,
      );
    }
    for (const pkg of wanted) log(`${pkg} is not installed: ${optionalFor[pkg]} will skip (apt-get install ${pkg} to run it)`);
    return;
  }
  const all = [...missing, ...wanted];
  log(`installing ${all.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...all], { env });
  if (!openblasPresent()) die('libopenblas-dev was installed but OpenBLAS is still not found');
  if (!oneDnnPresent()) die('libdnnl-dev was installed but oneDNN is still not found');
}

// pnpm: one on PATH of the pinned major, else a private copy installed with npm (corepack cannot
// verify registry signatures everywhere, so it is not relied on). The private copy's bin folder goes
// first on PATH so that turbo, which runs each package's scripts through pnpm, finds it too.
function ensurePnpm() {
  const onPath = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  if (onPath.status === 0 && onPath.stdout.trim().split('.')[0] === PNPM_VERSION.split('.')[0]) return;
  const prefix = join(root, 'tooling', '.bootstrap');
  if (!existsSync(join(prefix, 'node_modules', '.bin', 'pnpm'))) {
    log(`installing pnpm ${PNPM_VERSION} into tooling/.bootstrap`);
    run('npm', [
      'install',
      '--prefix',
      prefix,
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      `pnpm@${PNPM_VERSION}`,
    ]);
  }
  process.env.PATH = `${join(prefix, 'node_modules', '.bin')}${delimiter}${process.env.PATH}`;
}

function summarizeTests() {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const dir of ['packages', 'apps', 'tests']) {
    for (const name of readdirSync(join(root, dir))) {
      const report = join(root, dir, name, '.vitest-report.json');
      if (!existsSync(report)) continue;
      const r = JSON.parse(readFileSync(report, 'utf8'));
      passed += r.numPassedTests;
      failed += r.numFailedTests;
      skipped += r.numPendingTests + (r.numTodoTests ?? 0);
      rmSync(report);
    }
  }
  return { passed, failed, skipped };
}

ensureNode();
ensureSystemPackages();
ensurePnpm();
process.env.TURBO_TELEMETRY_DISABLED = '1';
process.env.DO_NOT_TRACK = '1';
log('installing npm dependencies');
run('pnpm', ['install', process.env.CI ? '--frozen-lockfile' : '--prefer-offline', '--reporter=append-only']);

// bkt-train's dist/cli.js and the packages it imports; `npm run bkt-train` runs that file.
function buildTrainer() {
  log('building bkt-train');
  run('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=@bkt/trainer...', '--output-logs=errors-only']);
}

if (mode === 'test') {
  log('lint and format check: node tooling/scripts/lint.mjs --check');
  const lint = spawnSync(process.execPath, [join(root, 'tooling', 'scripts', 'lint.mjs'), '--check'], {
    stdio: 'inherit',
    cwd: root,
  });
  const r = spawnSync('pnpm', ['exec', 'turbo', 'run', 'test', '--concurrency=1'], { stdio: 'inherit', cwd: root });
  const s = summarizeTests();
  if (lint.status !== 0) console.log('\nlint or format check failed (node tooling/scripts/lint.mjs --check; --write formats)');
  console.log(`\ntests: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`);
  process.exit(r.status === 0 && s.failed === 0 && lint.status === 0 ? 0 : 1);
} else if (mode === 'train') {
  buildTrainer();
  const given = process.argv.slice(3);
  const args = given.length > 0 ? given : ['lm', '--checkpoint', 'runs/default/lm', '--log', 'runs/default/metrics.jsonl'];
  if (given.length === 0)
    log('training the default model: bkt-train lm --checkpoint runs/default/lm --log runs/default/metrics.jsonl');
  // Ctrl-C reaches bkt-train too, which checkpoints before it exits: wait for it instead of dying first.
  process.on('SIGINT', () => {});
  const r = spawnSync(process.execPath, [join(root, 'apps', 'trainer', 'dist', 'cli.js'), ...args], {
    stdio: 'inherit',
    cwd: root,
  });
  process.exit(r.status ?? 1);
} else {
  run('pnpm', ['exec', 'turbo', 'run', 'build:native']);
  buildTrainer();
  log(
    'ready: run `npm test` to run every test, `npm run train` to train the default model, `npm run bkt-train -- --help` for the CLI',
  );
}
