// The one tsup preset: ESM + declarations for Node 20, one entry per package.
import { defineConfig } from 'tsup';

export function bktTsupConfig(entry = ['src/index.ts']) {
  return defineConfig({ entry, format: ['esm'], dts: true, sourcemap: true, clean: true, target: 'node20' });
}
