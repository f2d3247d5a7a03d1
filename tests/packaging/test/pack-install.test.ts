// Packs every publishable package (`pnpm pack`, as `changeset publish` does), lints each tarball with
// publint, installs the tarballs into empty projects outside the workspace with npm and with pnpm, and
// uses them there as a user would: an NDArray one-liner, the module README's MLP example, a downstream
// BaseModule subclass type-checked with tsc against the published .d.ts files and trained, and
// `bkt-train --help`, and @bkt/kvstore's MPI addon built by its install script. The prebuilt addon must
// also run on a CPU without AVX-512 (qemu's Haswell).
import { execFile, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const work = mkdtempSync(join(tmpdir(), 'bkt-pack-'));
const tarballDir = join(work, 'tarballs');

// What the workspace's package manager sets for its scripts (npm_config_*, NODE_PATH into the
// workspace's node_modules) stays out of the projects, which must behave as in a user's shell.
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|pnpm_|node_path$)/i.test(k)));

// Asynchronous, so the test worker keeps answering Vitest while an install runs.
function run(
  cmd: string,
  args: readonly string[],
  cwd: string,
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<string> {
  const options = { cwd, env: { ...cleanEnv, ...opts.env }, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 << 20 };
  return new Promise((resolvePromise, reject) => {
    execFile(cmd, args, options, (error, stdout, stderr) => {
      if (error) reject(new Error(`'${cmd} ${args.join(' ')}' in ${cwd} failed (${error.message}):\n${stdout}\n${stderr}`));
      else resolvePromise(stdout);
    });
  });
}

function publishableDirs(): string[] {
  return ['packages', 'apps']
    .flatMap((group) => readdirSync(join(repo, group)).map((name) => join(repo, group, name)))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .filter((dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private !== true);
}

/** name → tarball path */
const tarballs = new Map<string, string>();

beforeAll(async () => {
  mkdirSync(tarballDir);
  for (const dir of publishableDirs()) {
    const { name, version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; version: string };
    await run('pnpm', ['pack', '--pack-destination', tarballDir], dir);
    tarballs.set(name, join(tarballDir, `${name.replace('@', '').replace('/', '-')}-${version}.tgz`));
  }
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

it('packs every publishable package, each passing publint --strict', async () => {
  expect([...tarballs.keys()].sort()).toEqual([
    '@bkt/executor',
    '@bkt/kvstore',
    '@bkt/module',
    '@bkt/ndarray',
    '@bkt/onnx',
    '@bkt/optimizer',
    '@bkt/symbol',
    '@bkt/trainer',
  ]);
  for (const tarball of tarballs.values()) {
    expect(await run(join(repo, 'node_modules', '.bin', 'publint'), ['run', tarball, '--strict'], work)).toContain('All good');
  }
});

it("ships the addon's prebuilt binary, its sources and generated headers, and no build folder", async () => {
  const files = (await run('tar', ['tzf', tarballs.get('@bkt/ndarray')!], work)).split('\n');
  expect(files).toContain('package/native/prebuilds/linux-x64/bkt.napi.glibc.node');
  expect(files).toContain('package/native/binding.gyp');
  expect(files).toContain('package/native/sources.gen.gypi');
  expect(files).toContain('package/native/include/bkt/op_ids.gen.h');
  expect(files.filter((f) => f.startsWith('package/native/build/') || f.endsWith('.o'))).toEqual([]);
});

// The README's first ts example of `## Modules`, writing its checkpoint under the project.
function readmeMlpExample(projectDir: string): string {
  const readme = readFileSync(join(repo, 'packages', 'module', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Modules'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (code === undefined) throw new Error('packages/module/README.md has no ts example under ## Modules');
  return `${code.replaceAll("'/tmp/", `'${projectDir}/`)}\nconsole.log(JSON.stringify(mod.score(train, 'acc')));\n`;
}

// The user's own TS project: strict, NodeNext resolution (what package.json "exports" and "types" must satisfy).
function writeTsProject(projectDir: string): void {
  mkdirSync(join(projectDir, 'src'));
  writeFileSync(join(projectDir, 'src', 'mlp.ts'), readmeMlpExample(projectDir));
  cpSync(join(repo, 'packages', 'module', 'examples', 'counting-module.ts'), join(projectDir, 'src', 'counting-module.ts'));
  const compilerOptions = {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noUncheckedIndexedAccess: true,
    noImplicitOverride: true,
    outDir: 'out',
    types: ['node'],
    typeRoots: [join(repo, 'node_modules', '@types')],
  };
  writeFileSync(join(projectDir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src'] }, null, 2));
}

const tarballSpecs = (): Record<string, string> =>
  Object.fromEntries([...tarballs].map(([name, path]) => [name, `file:${path}`]));

function projectManifest(overrides: Record<string, unknown>): Record<string, unknown> {
  return { name: 'bkt-downstream', version: '1.0.0', private: true, type: 'module', dependencies: tarballSpecs(), ...overrides };
}

// The @bkt/* siblings are not on the registry yet: overrides point their ranges (^0.1.0) at the tarballs.
const managers = {
  npm: {
    manifest: () => projectManifest({ overrides: tarballSpecs() }),
    install: ['npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error']],
  },
  pnpm: {
    manifest: () => projectManifest({ pnpm: { overrides: tarballSpecs() } }),
    install: ['pnpm', ['install', '--prefer-offline', '--reporter=append-only']],
  },
} as const;

const ndarrayOneLiner = "import('@bkt/ndarray').then((nd) => console.log(JSON.stringify(nd.add(nd.ones([2, 2]), 1).toArray())))";

describe.each(['npm', 'pnpm'] as const)('installed with %s', (manager) => {
  const projectDir = join(work, manager);

  beforeAll(async () => {
    mkdirSync(projectDir);
    writeFileSync(join(projectDir, 'package.json'), JSON.stringify(managers[manager].manifest(), null, 2));
    const [cmd, args] = managers[manager].install;
    await run(cmd, args, projectDir, { timeoutMs: 180_000 });
    writeTsProject(projectDir);
  });

  it('runs an NDArray one-liner on the prebuilt addon (no install script needed)', async () => {
    expect((await run(process.execPath, ['-e', ndarrayOneLiner], projectDir)).trim()).toBe('[2,2,2,2]');
  });

  it("type-checks the module README's MLP example and a downstream BaseModule subclass against the published .d.ts", async () => {
    await run(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], projectDir);
    expect(existsSync(join(projectDir, 'out', 'counting-module.js'))).toBe(true);
  });

  it("runs the module README's MLP example", async () => {
    const [[name, accuracy]] = JSON.parse(
      (await run(process.execPath, ['out/mlp.js'], projectDir)).trim().split('\n').pop()!,
    ) as [[string, number]];
    expect(name).toBe('accuracy');
    expect(accuracy).toBeGreaterThan(0.9);
  });

  it('trains the downstream BaseModule subclass a few epochs', async () => {
    const result = JSON.parse(
      (await run(process.execPath, ['out/counting-module.js'], projectDir)).trim().split('\n').pop()!,
    ) as {
      samplesTrained: number;
      accuracy: number;
    };
    expect(result.samplesTrained).toBe(600);
    expect(result.accuracy).toBeGreaterThan(0.9);
  });

  // npm runs @bkt/kvstore's install script, which builds the MPI addon where Open MPI is installed;
  // pnpm runs it only when allowed, so there the dist stores say what to install and how to build.
  it('builds the MPI addon where npm runs the install script and Open MPI is installed, else names the apt package', async () => {
    const mpiAddon = join(projectDir, 'node_modules', '@bkt', 'kvstore', 'native', 'build', 'Release', 'bkt_dist.node');
    const mpi = spawnSync('mpicc', ['--showme:compile'], { stdio: 'ignore' }).status === 0;
    if (manager === 'npm' && mpi) {
      expect(existsSync(mpiAddon)).toBe(true);
      expect(
        (await run(process.execPath, ['-e', `require(${JSON.stringify(mpiAddon)}); console.log('loaded')`], projectDir)).trim(),
      ).toBe('loaded');
      return;
    }
    expect(existsSync(mpiAddon)).toBe(false);
    const script =
      "import('@bkt/kvstore').then((kv) => { try { kv.create('dist_sync') } catch (e) { console.log(e.constructor.name + ': ' + e.message) } })";
    expect(await run(process.execPath, ['-e', script], projectDir)).toMatch(
      /^NativeError: create\('dist_sync'\): .*apt-get install openmpi-bin libopenmpi-dev.*npm rebuild @bkt\/kvstore/,
    );
  });

  it('runs npx bkt-train --help', async () => {
    const help = await run('npx', ['bkt-train', '--help'], projectDir);
    expect(help).toContain('Usage: bkt-train');
  });
});

describe('the prebuilt addon on other machines', () => {
  const projectDir = join(work, 'npm');
  const qemu = spawnSync('qemu-x86_64', ['-version']).status === 0;

  it.runIf(process.arch === 'x64')('runs without AVX-512 (qemu-x86_64 -cpu Haswell)', async (ctx) => {
    if (!qemu) {
      console.warn('skipped: qemu-x86_64 is not installed (Debian: apt-get install qemu-user)');
      ctx.skip();
    }
    const script = `${ndarrayOneLiner.replace('nd.add(nd.ones([2, 2]), 1)', 'nd.softmax(nd.sum(nd.exp(nd.ones([64, 300])), { axis: 1, keepdims: true }), { axis: 0 })')}`;
    const out = await run('qemu-x86_64', ['-cpu', 'Haswell', process.execPath, '-e', script], projectDir, { timeoutMs: 180_000 });
    const probs = JSON.parse(out.trim()) as number[];
    expect(probs).toHaveLength(64);
    for (const p of probs) expect(p).toBeCloseTo(1 / 64, 6);
  });

  it('names the package to install when OpenBLAS is missing', async (ctx) => {
    // An empty tmpfs over OpenBLAS's own directory, in a private mount namespace, hides the library
    // from this one process. Needs root and a directory that holds nothing else the process loads.
    const addon = join(projectDir, 'node_modules', '@bkt', 'ndarray', 'native', 'prebuilds', 'linux-x64', 'bkt.napi.glibc.node');
    const libPath = /libopenblas\.so\.0 => (\S+)/.exec(await run('ldd', [addon], work))?.[1];
    const libDir = libPath === undefined ? undefined : dirname(realpathSync(libPath));
    const hideable = libDir !== undefined && readdirSync(libDir).every((f) => /openblas|blas|lapack|cmake|pkgconfig/.test(f));
    const unshare = process.getuid?.() === 0 && spawnSync('unshare', ['-m', 'true']).status === 0;
    if (!hideable || !unshare) {
      console.warn(
        `skipped: cannot hide OpenBLAS (${!unshare ? 'unshare -m needs root' : `its directory ${libDir} holds other libraries`})`,
      );
      ctx.skip();
    }
    const script = "import('@bkt/ndarray').catch((e) => console.log(e.constructor.name + ': ' + e.message))";
    const out = await run(
      'unshare',
      ['-m', 'sh', '-c', `mount -t tmpfs none '${libDir}' && '${process.execPath}' -e "${script}"`],
      projectDir,
    );
    expect(out).toMatch(
      /^NativeError: @bkt\/ndarray: the native addon needs the shared library libopenblas\.so\.0.*'apt-get install libopenblas0'/,
    );
  });

  it('builds from source with node-gyp where no prebuilt binary fits', async () => {
    // A copy of the installed package without its prebuilds, and a node-gyp that records its call
    // (the real build is what `npm run setup` does in the repository).
    const pkg = join(work, 'no-prebuilt', 'node_modules', '@bkt', 'ndarray');
    cpSync(join(projectDir, 'node_modules', '@bkt', 'ndarray'), pkg, { recursive: true, dereference: true });
    cpSync(join(projectDir, 'node_modules', 'node-gyp-build'), join(work, 'no-prebuilt', 'node_modules', 'node-gyp-build'), {
      recursive: true,
    });
    rmSync(join(pkg, 'native', 'prebuilds'), { recursive: true });
    const record = join(work, 'node-gyp-call.json');
    const fakeNodeGyp = join(work, 'node-gyp-recorder.cjs');
    writeFileSync(
      fakeNodeGyp,
      `require('fs').writeFileSync(${JSON.stringify(record)}, JSON.stringify({ cwd: process.cwd(), args: process.argv.slice(2) }));\n`,
    );
    await run(process.execPath, [join(pkg, 'native', 'install.mjs')], join(work, 'no-prebuilt'), {
      env: { npm_config_node_gyp: fakeNodeGyp },
      timeoutMs: 30_000,
    });
    const call = JSON.parse(readFileSync(record, 'utf8')) as { cwd: string; args: string[] };
    expect(call.cwd).toBe(join(pkg, 'native'));
    expect(call.args.slice(0, 2)).toEqual(['rebuild', '--release']);
  });
});
