import { bktVitestConfig } from '@bkt/tooling/vitest';

export default bktVitestConfig();
