// The mpirun command line bkt-launch runs (MXNet's tools/launch.py --launcher mpi): every rank runs
// the same command, and the distributed kvstore finds its rank through MPI. Without a hostfile the job
// is local and its traffic stays on loopback: shared memory between ranks (vader), TCP on `lo` only,
// for both MPI messages and Open MPI's own out-of-band channel.
import { ValueError } from '@bkt/ndarray';

export interface LaunchOptions {
  /** Worker processes (-n). */
  numWorkers: number;
  /** Server processes (-s) for dist_async: the last ranks, announced as DMLC_NUM_SERVER (0: none). */
  numServers?: number | undefined;
  /** A file of hosts (-H), one `host slots=N` a line, as mpirun reads it; none: every rank on this machine. */
  hostfile?: string | undefined;
  /** The command every rank runs. */
  command: readonly string[];
  /** Whether this process runs as root (Open MPI refuses unless told it is intended). */
  isRoot: boolean;
}

export interface MpirunCommand {
  readonly file: string;
  readonly args: readonly string[];
  /** Variables to add to the launcher's environment. */
  readonly env: Readonly<Record<string, string>>;
}

/** MCA options that keep a local job on loopback. */
export const LOOPBACK_MCA: readonly string[] = [
  '--mca',
  'btl',
  'self,vader,tcp',
  '--mca',
  'btl_tcp_if_include',
  'lo',
  '--mca',
  'oob_tcp_if_include',
  'lo',
];

/** Variables every rank needs, forwarded by mpirun to remote hosts too (-x). */
const FORWARDED = [
  'BKT_KVSTORE_TIMEOUT',
  'BKT_KVSTORE_FUSION_BYTES',
  'BKT_KVSTORE_BUCKET_BYTES',
  'MXNET_UPDATE_ON_KVSTORE',
  'BKT_NUM_THREADS',
];

export function mpirunCommand(opts: LaunchOptions): MpirunCommand {
  const op = 'bkt-launch';
  if (!Number.isInteger(opts.numWorkers) || opts.numWorkers < 1) {
    throw new ValueError(`${op}: the number of workers (-n) must be a positive integer, got ${String(opts.numWorkers)}`);
  }
  const servers = opts.numServers ?? 0;
  if (!Number.isInteger(servers) || servers < 0)
    throw new ValueError(`${op}: the number of servers (-s) must be a non-negative integer, got ${String(servers)}`);
  if (opts.command.length === 0) throw new ValueError(`${op}: no command to run (give it after --)`);
  const args = ['-np', String(opts.numWorkers + servers)];
  // Ranks may outnumber cores (two ranks on a 2-core machine with other work), and bkt's thread pool
  // sizes itself, so ranks are neither refused nor pinned to one core each.
  args.push('--oversubscribe', '--bind-to', 'none');
  if (opts.hostfile === undefined) args.push(...LOOPBACK_MCA);
  else args.push('--hostfile', opts.hostfile);
  for (const name of FORWARDED) if (process.env[name] !== undefined) args.push('-x', name);
  const env: Record<string, string> = opts.isRoot ? { OMPI_ALLOW_RUN_AS_ROOT: '1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1' } : {};
  // MXNet's launcher sizes its roles with these; every rank must see them (-x reaches remote hosts)
  if (servers > 0) {
    Object.assign(env, { DMLC_NUM_SERVER: String(servers), DMLC_NUM_WORKER: String(opts.numWorkers) });
    args.push('-x', 'DMLC_NUM_SERVER', '-x', 'DMLC_NUM_WORKER');
  }
  return { file: 'mpirun', args: [...args, ...opts.command], env };
}
