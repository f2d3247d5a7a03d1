// What a rank started by run-mpi.ts reports: a JSON file named after its rank in BKT_TEST_RESULT_DIR
// (not stdout, where mpirun may interleave the ranks' long lines).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function report(result: Record<string, unknown>): void {
  writeFileSync(join(process.env['BKT_TEST_RESULT_DIR']!, `rank-${String(result['rank'])}.json`), JSON.stringify(result));
}
