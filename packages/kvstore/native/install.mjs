#!/usr/bin/env node
// The install script of @bkt/kvstore: builds the MPI addon from the shipped sources with
// @bkt/ndarray's installAddon where Open MPI is installed (mpicc); elsewhere it builds nothing, the
// install succeeds, and only the dist_* kvstores are unavailable (create() says what to install).
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

import { installAddon } from '@bkt/ndarray/install';

if (spawnSync('mpicc', ['--showme:compile'], { stdio: 'ignore' }).status !== 0) {
  console.error(
    '[@bkt/kvstore install] Open MPI not found (mpicc): the MPI addon is not built; the dist_* kvstores need `apt-get install openmpi-bin libopenmpi-dev`, then `npm rebuild @bkt/kvstore`',
  );
  process.exit(0);
}
const addonDir = dirname(fileURLToPath(import.meta.url));
process.exit(
  installAddon({
    addonDir,
    name: '@bkt/kvstore',
    build: 'g++, make, python3 and Open MPI (apt-get install g++ make python3 openmpi-bin libopenmpi-dev)',
  }),
);
