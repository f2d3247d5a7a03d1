// A rank started by bkt-launch in launch.test.ts: reports its rank, the job size and a sum over ranks.
import { array, zeros } from '@bkt/ndarray';

import { create } from '../../src/index.js';
import { report } from './report.js';

const kv = create('dist_sync');
kv.init('x', zeros([1]));
const out = zeros([1]);
kv.pushPull('x', array([kv.rank + 1]), out);
report({ rank: kv.rank, numWorkers: kv.numWorkers, sum: out.toArray()[0] });
kv.dispose();
