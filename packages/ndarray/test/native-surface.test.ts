// The addon's exports against the one interface that declares them (NativeAddon in src/native.ts), read
// from the source with the TypeScript parser so that it stays the only list of names.
import { declaredPaths, exportedPaths, surfaceDifference } from '@bkt/tooling/native-surface';
import { describe, expect, it } from 'vitest';

import { native } from '../src/native.js';

describe('the native surface', () => {
  it('NativeAddon declares exactly what the addon exports, sub-objects included', () => {
    const declared = declaredPaths(new URL('../src/native.ts', import.meta.url).pathname, 'NativeAddon');
    const exported = exportedPaths(native);
    expect(exported.length).toBeGreaterThan(50);
    expect(surfaceDifference(declared, exported)).toEqual({ exportedButNotDeclared: [], declaredButNotExported: [] });
  });
});
