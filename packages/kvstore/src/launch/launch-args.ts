// bkt-launch's command line: -n WORKERS [-s SERVERS] [-H HOSTFILE] [--dry-run] -- COMMAND ...
import { ValueError } from '@bkt/ndarray';

export const USAGE = 'usage: bkt-launch -n WORKERS [-s SERVERS] [-H HOSTFILE] [--dry-run] -- COMMAND [ARGS...]';

export interface LaunchArgs {
  numWorkers: number;
  numServers: number;
  hostfile: string | undefined;
  dryRun: boolean;
  command: string[];
}

function count(flag: string, value: string | undefined, min: number): number {
  const n = Number(value);
  if (value === undefined || !/^\d+$/.test(value) || n < min)
    throw new ValueError(`bkt-launch: ${flag} needs an integer >= ${min}, got ${value ?? 'nothing'}\n${USAGE}`);
  return n;
}

export function parseLaunchArgs(argv: readonly string[]): LaunchArgs {
  const split = argv.indexOf('--');
  if (split < 0) throw new ValueError(`bkt-launch: give the command after --\n${USAGE}`);
  const out: LaunchArgs = {
    numWorkers: 0,
    numServers: 0,
    hostfile: undefined,
    dryRun: false,
    command: argv.slice(split + 1) as string[],
  };
  const opts = argv.slice(0, split);
  for (let i = 0; i < opts.length; i++) {
    const flag = opts[i]!;
    if (flag === '-n' || flag === '--num-workers') out.numWorkers = count(flag, opts[++i], 1);
    else if (flag === '-s' || flag === '--num-servers') out.numServers = count(flag, opts[++i], 0);
    else if (flag === '-H' || flag === '--hostfile') {
      out.hostfile = opts[++i];
      if (out.hostfile === undefined) throw new ValueError(`bkt-launch: ${flag} needs a file\n${USAGE}`);
    } else if (flag === '--dry-run') out.dryRun = true;
    else throw new ValueError(`bkt-launch: unknown option '${flag}'\n${USAGE}`);
  }
  if (out.numWorkers === 0) throw new ValueError(`bkt-launch: -n WORKERS is required\n${USAGE}`);
  return out;
}
