// The one Vitest preset: tests resolve sibling @bkt packages to their TS sources through the
// "source" export condition, so no package needs building before its dependants' tests run.
import { defineConfig } from 'vitest/config';

export function bktVitestConfig(overrides = {}) {
  return defineConfig({
    resolve: { conditions: ['source', 'import', 'default'] },
    ssr: { resolve: { conditions: ['source', 'import', 'default'], externalConditions: ['source'] } },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      pool: 'forks',
      testTimeout: 60_000,
      ...overrides,
    },
  });
}
