// `pnpm bench:seq2seq [--epochs N] [--sentences N] [--threads N]`: trains bkt-train seq2seq's default
// model on the built-in parallel corpus, then the PyTorch reference (seq2seq_torch.py, same
// architecture, hyper-parameters, grid and pairs, exported from bkt's checkpoint), one after the
// other in the same run, and prints JSON lines side by side: each epoch's training time and
// perplexities, then the held-out test set's greedy BLEU and exact match, both scored by
// `bkt-train eval-bleu`. Generated files live in a temporary directory, removed at the end.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '2' },
    sentences: { type: 'string', default: '20000' },
    threads: { type: 'string', default: '2' },
  },
});
const epochs = Number(values.epochs);
const trainer = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsx = (script: string, args: string[]): string =>
  execFileSync(process.execPath, ['--import', 'tsx', '--conditions=source', join(trainer, script), ...args], {
    cwd: trainer,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 28,
  });
const bleuOf = (args: string[]): { bleu: number; exact_match: number } =>
  JSON.parse(
    tsx('src/cli.ts', ['eval-bleu', '--json', '--threads', values.threads!, ...args])
      .trim()
      .split('\n')
      .at(-1)!,
  );
const jsonLines = (text: string): Record<string, number>[] =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));

const dir = mkdtempSync(join(tmpdir(), 'bkt-seq2seq-bench-'));
try {
  const load = loadavg().map((x) => +x.toFixed(2));
  const prefix = join(dir, 'bkt');
  // --beam-size 1: the command's own closing test translation is the greedy one scored again below
  tsx('src/cli.ts', [
    'seq2seq',
    '--epochs',
    String(epochs),
    '--sentences',
    values.sentences!,
    '--threads',
    values.threads!,
    '--checkpoint',
    prefix,
    '--log',
    join(dir, 'bkt.jsonl'),
    '--beam-size',
    '1',
    '--disp-batches',
    '1000000',
  ]);
  const bkt = jsonLines(readFileSync(join(dir, 'bkt.jsonl'), 'utf8'));
  const bktBleu = bleuOf(['--checkpoint', `${prefix}:${epochs}`, '--beam-size', '1']);

  tsx('bench/seq2seq-export.ts', [prefix, dir]);
  const torchOut = execFileSync(
    '/usr/bin/python3',
    [
      join(trainer, 'bench/seq2seq_torch.py'),
      '--data',
      join(dir, 'data.json'),
      '--hypotheses',
      join(dir, 'torch-test.txt'),
      '--epochs',
      String(epochs),
      '--threads',
      values.threads!,
    ],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      // GNU OpenMP's threads spin while waiting: on a busy machine two of them ran an epoch 14× slower
      env: { OMP_WAIT_POLICY: 'PASSIVE', ...process.env },
    },
  );
  const torch = jsonLines(torchOut).filter((r) => r['epoch'] !== undefined);
  const torchBleu = bleuOf(['--hypotheses', join(dir, 'torch-test.txt'), '--reference', join(dir, 'test-reference.txt')]);

  for (let e = 0; e < epochs; e++) {
    const b = bkt[e]!;
    const t = torch[e]!;
    console.log(
      JSON.stringify({
        epoch: e + 1,
        bkt_seconds: b['seconds'],
        torch_seconds: t['seconds'],
        bkt_tokens_per_s: b['tokens_per_s'],
        torch_tokens_per_s: t['tokens_per_s'],
        bkt_train_ppl: b['train_ppl'],
        torch_train_ppl: t['train_ppl'],
        bkt_valid_ppl: b['valid_ppl'],
        torch_valid_ppl: t['valid_ppl'],
      }),
    );
  }
  console.log(
    JSON.stringify({
      test: 'greedy translations of the held-out test set, scored by bkt-train eval-bleu',
      bkt_bleu: +bktBleu.bleu.toFixed(2),
      torch_bleu: +torchBleu.bleu.toFixed(2),
      bkt_exact_match: bktBleu.exact_match,
      torch_exact_match: torchBleu.exact_match,
      threads: Number(values.threads),
      loadavg_before: load,
      loadavg_after: loadavg().map((x) => +x.toFixed(2)),
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
