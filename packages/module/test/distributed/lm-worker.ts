// One worker of the dist_sync LM test: trains its half of every batch and reports its parameters,
// how many log lines it wrote and whether its epoch-end callback (where checkpoints go) ran.
import { report } from '../../../kvstore/test/distributed/report.js';
import { train, workerData } from './lm-setup.js';

const rank = Number(process.env['OMPI_COMM_WORLD_RANK']);
let logs = 0;
let epochEnds = 0;
const params = train(workerData(rank), 'dist_sync', { logger: () => (logs += 1), epochEnd: () => (epochEnds += 1) });
report({ rank, params, logs, epochEnds });
