import { bktVitestConfig } from '@bkt/tooling/vitest';

// Installing the tarballs (npm and pnpm, from their caches where possible) happens in beforeAll hooks.
export default bktVitestConfig({ hookTimeout: 240_000, testTimeout: 120_000 });
