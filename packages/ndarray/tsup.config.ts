import { bktTsupConfig } from '@bkt/tooling/tsup';

export default bktTsupConfig(['src/index.ts', 'src/core.ts', 'src/internal.ts']);
