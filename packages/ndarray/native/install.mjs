#!/usr/bin/env node
// The install script of @bkt/ndarray: keeps the prebuilt binary of prebuilds/<platform>-<arch>/ when it
// loads on this machine and otherwise builds the addon from the shipped sources with node-gyp (which npm
// and pnpm bundle; set npm_config_build_from_source=true to force that). In the bkt repository the addon
// is built by tooling/scripts/build-native.mjs instead, so there this does nothing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const addonDir = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const say = (msg) => console.error(`[@bkt/ndarray install] ${msg}`);

const inRepository = existsSync(join(addonDir, '..', '..', '..', 'tooling', 'scripts', 'build-native.mjs'));
if (inRepository) process.exit(0);

function prebuiltLoads() {
  if (process.env.npm_config_build_from_source === 'true') return false;
  let path;
  try {
    path = require('node-gyp-build').path(addonDir);
  } catch {
    say(`no prebuilt binary for ${process.platform}-${process.arch}: building from source`);
    return false;
  }
  try {
    require(path);
    return true;
  } catch (e) {
    // A missing system library is missing for a source build too: leave the prebuilt binary, and let
    // the import say which package to install.
    if (/cannot open shared object file/.test(e.message)) {
      say(`the prebuilt binary needs a system library: ${e.message.split('\n')[0]}`);
      return true;
    }
    say(`the prebuilt binary does not load here (${e.message.split('\n')[0]}): building from source`);
    return false;
  }
}

function nodeGypCommand() {
  try {
    return [process.execPath, require.resolve('node-gyp/bin/node-gyp.js')];
  } catch {
    const bundled = process.env.npm_config_node_gyp; // npm and pnpm point this at their own node-gyp
    return bundled ? [process.execPath, bundled] : ['node-gyp'];
  }
}

// Node's headers next to the running node (Debian and NodeSource install them) spare node-gyp a download.
function nodeDirArgs() {
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
}

if (!prebuiltLoads()) {
  const [cmd, ...args] = nodeGypCommand();
  const r = spawnSync(cmd, [...args, 'rebuild', '--release', ...nodeDirArgs()], { cwd: addonDir, stdio: 'inherit' });
  if (r.status !== 0) {
    say('the source build failed: it needs g++, make, python3 and OpenBLAS (apt-get install g++ make python3 libopenblas-dev)');
    process.exit(r.status ?? 1);
  }
}
