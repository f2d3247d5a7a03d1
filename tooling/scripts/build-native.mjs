// Builds the native addon of the package in the current directory: op-id codegen, then node-gyp.
// Finds Node's headers next to the running node (Debian/NodeSource install them under <prefix>/include/node)
// so no header download is needed.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(process.cwd(), 'package.json'));
const nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');

execFileSync(process.execPath, [join(here, 'gen-op-ids.mjs'), '.'], { stdio: 'inherit' });

const prefix = dirname(dirname(process.execPath));
const args = [];
if (existsSync(join(prefix, 'include/node/node_api.h'))) args.push(`--nodedir=${prefix}`);

const gyp = (...a) => execFileSync(process.execPath, [nodeGyp, ...a, ...args], { stdio: 'inherit', cwd: 'native' });

// binding.gyp lists the sources when gyp configures, so a new or removed .cc file needs a new configure.
const sources = execFileSync(process.execPath, [join(here, 'list-native-sources.mjs'), 'native'], { encoding: 'utf8' });
const seen = 'native/build/sources.txt';
const stale = !existsSync('native/build/Makefile') || !existsSync(seen) || readFileSync(seen, 'utf8') !== sources;
if (stale || process.argv.includes('--rebuild')) {
  gyp('configure');
  writeFileSync(seen, sources);
}
gyp('build', `--jobs=${process.env.BKT_BUILD_JOBS ?? 2}`, '--loglevel=warn');
