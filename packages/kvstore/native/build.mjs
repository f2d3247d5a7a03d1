// Builds the MPI addon (native/build/Release/bkt_dist.node) when Open MPI's compiler wrapper is
// present; without it there is nothing to build and only the dist_* kvstores are unavailable.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
if (spawnSync('mpicc', ['--showme:compile'], { stdio: 'ignore' }).status !== 0) {
  console.log(
    '@bkt/kvstore: Open MPI not found (mpicc); the MPI addon is not built (apt-get install openmpi-bin libopenmpi-dev)',
  );
  process.exit(0);
}
const nodeGyp = createRequire(join(here, '..', 'package.json')).resolve('node-gyp/bin/node-gyp.js');
// Debian/NodeSource install Node's headers under <prefix>/include/node: no header download needed.
const prefix = dirname(dirname(process.execPath));
const args = existsSync(join(prefix, 'include/node/node_api.h')) ? [`--nodedir=${prefix}`] : [];
const gyp = (...a) => execFileSync(process.execPath, [nodeGyp, ...a, ...args], { stdio: 'inherit', cwd: here });
if (!existsSync(join(here, 'build', 'Makefile')) || process.argv.includes('--rebuild')) gyp('configure');
gyp('build', `--jobs=${process.env.BKT_BUILD_JOBS ?? 2}`, '--loglevel=warn');
