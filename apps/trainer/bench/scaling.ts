// `pnpm bench:scaling [--rounds N] [--sentences N]`: data-parallel scaling on this machine, issue 13's
// figure. One epoch of `bkt-train lm` (built-in corpus, default model) as 1 rank × 2 threads and as
// 2 ranks × 1 thread under `bkt-launch -n 2` (`--kv-store dist_sync`, loopback only), alternated for
// `--rounds` rounds so that both see the same machine state. Prints a JSON line per run (wall seconds of
// the whole command: start-up, training and validation) and a summary with the median ratio
// one-process / two-rank time (≥ 1: the two ranks are at least as fast). Needs `npm run build` first:
// it runs the built CLIs, as a user would.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const trainCli = join(root, 'apps/trainer/dist/cli.js');
const launchCli = join(root, 'packages/kvstore/dist/launch/cli.js');

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    rounds: { type: 'string', default: '3' },
    sentences: { type: 'string', default: '6000' },
  },
});
const rounds = Number(values.rounds);
const sentences = Number(values.sentences);
if (!Number.isInteger(rounds) || rounds < 1)
  throw new Error(`bench:scaling: --rounds must be a positive integer, got ${values.rounds}`);
if (!Number.isInteger(sentences) || sentences < 64)
  throw new Error(`bench:scaling: --sentences must be an integer ≥ 64, got ${values.sentences}`);
for (const f of [trainCli, launchCli])
  if (!existsSync(f)) throw new Error(`bench:scaling: ${f} is missing — run npm run build first`);

const work = mkdtempSync(join(tmpdir(), 'bkt-scaling-'));
const lmArgs = (threads: number, dir: string) => [
  trainCli,
  'lm',
  '--sentences',
  String(sentences),
  '--epochs',
  '1',
  '--threads',
  String(threads),
  '--checkpoint',
  join(work, dir, 'lm'),
];

const variants = {
  '1x2': () => ['node', lmArgs(2, 'one')] as const,
  '2x1': () => ['node', [launchCli, '-n', '2', '--', 'node', ...lmArgs(1, 'two'), '--kv-store', 'dist_sync']] as const,
};

function timed(name: keyof typeof variants): number {
  const [cmd, args] = variants[name]();
  const load = loadavg()[0]!;
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', timeout: 30 * 60_000 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`bench:scaling: ${name} failed (exit ${r.status}):\n${r.stderr.slice(-2000)}`);
  console.log(JSON.stringify({ variant: name, seconds: +seconds.toFixed(2), loadBefore: +load.toFixed(2) }));
  return seconds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
try {
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // alternate which goes first, so a drift in load does not favour one side
    const one = r % 2 === 0 ? timed('1x2') : 0;
    const two = timed('2x1');
    const oneAfter = one === 0 ? timed('1x2') : one;
    ratios.push(oneAfter / two);
  }
  console.log(
    JSON.stringify({
      summary: 'one-process / two-rank epoch time',
      ratios: ratios.map((x) => +x.toFixed(3)),
      median: +median(ratios).toFixed(3),
    }),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
