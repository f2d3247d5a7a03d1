import { bktVitestConfig } from '@bkt/tooling/vitest';

// --expose-gc lets the memory tests check that collected arrays release their native bytes.
export default bktVitestConfig({ poolOptions: { forks: { execArgv: ['--expose-gc'] } } });
