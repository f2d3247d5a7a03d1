// The MPI addon's exports against the one interface that declares them (DistBinding in
// src/distributed/mpi.ts), read from the source with the TypeScript parser.
import { existsSync } from 'node:fs';

import { declaredPaths, exportedPaths, surfaceDifference } from '@bkt/tooling/native-surface';
import { describe, expect, it } from 'vitest';

import { loadMpiAddon, mpiAddonPath } from '../src/distributed/mpi.js';

describe.skipIf(!existsSync(mpiAddonPath))('the MPI addon surface (built where Open MPI is installed)', () => {
  it('DistBinding declares exactly what the addon exports', () => {
    const declared = declaredPaths(new URL('../src/distributed/mpi.ts', import.meta.url).pathname, 'DistBinding');
    const exported = exportedPaths(loadMpiAddon('test', mpiAddonPath));
    expect(exported.length).toBeGreaterThan(5);
    expect(surfaceDifference(declared, exported)).toEqual({ exportedButNotDeclared: [], declaredButNotExported: [] });
  });
});
