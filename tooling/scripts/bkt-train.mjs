#!/usr/bin/env node
// `npm run bkt-train -- …`: runs the built CLI, apps/trainer/dist/cli.js, which `npm run setup` builds.
// When it is missing (dependencies installed some other way), say how to build it instead of
// failing with Node's MODULE_NOT_FOUND trace.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'apps', 'trainer', 'dist', 'cli.js');
if (!existsSync(cli)) {
  console.error('bkt-train is not built yet: run `npm run setup` (it builds it), then this command again.');
  process.exit(1);
}
await import(pathToFileURL(cli).href);
