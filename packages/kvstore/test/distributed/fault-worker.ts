// A worker of the fault test: every worker pushes and pulls in a loop on the store type given as the
// argument (dist_sync by default); worker 1 kills itself with SIGKILL after 5 steps (noting the time
// first), leaving the others inside a collective (dist_sync) or waiting on their servers (dist_async).
import { ones, zeros } from '@bkt/ndarray';

import { create } from '../../src/index.js';
import { report } from './report.js';

const kv = create(process.argv[2] === 'dist_async' ? 'dist_async' : 'dist_sync');
kv.init('w', zeros([1000]));
const out = zeros([1000]);
for (let step = 0; ; step++) {
  if (kv.rank === 1 && step === 5) {
    report({ rank: kv.rank, killedAt: Date.now() });
    process.kill(process.pid, 'SIGKILL');
  }
  kv.pushPull('w', ones([1000]), out);
}
