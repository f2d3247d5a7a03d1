import { bktTsupConfig } from '@bkt/tooling/tsup';

export default bktTsupConfig();
