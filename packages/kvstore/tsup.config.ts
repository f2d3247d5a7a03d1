import { bktTsupConfig } from '@bkt/tooling/tsup';

export default bktTsupConfig(['src/index.ts', 'src/launch/cli.ts']);
