#!/usr/bin/env node
// The install script of @bkt/ndarray, and of every bkt package with a native addon (`installAddon`,
// exported as '@bkt/ndarray/install'): keeps the prebuilt binary of prebuilds/<platform>-<arch>/ when it
// loads on this machine and otherwise builds the addon from the shipped sources with node-gyp (which npm
// and pnpm bundle; set npm_config_build_from_source=true to force that). In the bkt repository the addons
// are built by their build:native scripts instead, so there this does nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

function prebuiltLoads(addonDir, say) {
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

/**
 * Installs the addon whose node-gyp project is `addonDir` for package `name`; `build` says what a source
 * build needs (shown when it fails). Returns the exit code for the install script.
 */
export function installAddon({ addonDir, name, build }) {
  const say = (msg) => console.error(`[${name} install] ${msg}`);
  const inRepository = existsSync(join(addonDir, '..', '..', '..', 'tooling', 'scripts', 'build-native.mjs'));
  if (inRepository || prebuiltLoads(addonDir, say)) return 0;
  const [cmd, ...args] = nodeGypCommand();
  const r = spawnSync(cmd, [...args, 'rebuild', '--release', ...nodeDirArgs()], { cwd: addonDir, stdio: 'inherit' });
  if (r.status === 0) return 0;
  say(`the source build failed: it needs ${build}`);
  return r.status ?? 1;
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const addonDir = dirname(fileURLToPath(import.meta.url));
  process.exit(
    installAddon({
      addonDir,
      name: '@bkt/ndarray',
      build: 'g++, make, python3, OpenBLAS and oneDNN (apt-get install g++ make python3 libopenblas-dev libdnnl-dev)',
    }),
  );
}
