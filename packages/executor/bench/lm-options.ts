// The command line of `pnpm bench:lm`, checked before anything is bound: a misspelt option or a bad
// value is a ValueError naming it, not a NaN shape or a silently ignored flag.
import { parseArgs } from 'node:util';

import { ValueError } from '@bkt/ndarray';

/** The recurrent cells bench:lm builds its model with (the fused RNN op's gated modes). */
export const LM_BENCH_CELLS = ['lstm', 'gru'] as const;
export type LMBenchCell = (typeof LM_BENCH_CELLS)[number];

export interface LMBenchOptions {
  /** Timed training steps (`--synthetic`). */
  steps: number;
  seqLen: number;
  vocab: number;
  /** bkt's thread count; 0 leaves the default. */
  threads: number;
  cell: LMBenchCell;
}

function integer(option: string, text: string, min: number): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < min)
    throw new ValueError(`bench:lm: --${option} must be an integer >= ${min}, got '${text}'`);
  return n;
}

/** Parses bench:lm's arguments (`process.argv.slice(2)`; pnpm's `--` separator is skipped). */
export function parseLMBenchOptions(argv: readonly string[]): LMBenchOptions {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv.filter((a) => a !== '--'),
      options: {
        synthetic: { type: 'string', default: '40' },
        'seq-len': { type: 'string', default: '30' },
        vocab: { type: 'string', default: '10000' },
        threads: { type: 'string', default: '0' },
        cell: { type: 'string', default: 'lstm' },
      },
    }));
  } catch (e) {
    throw new ValueError(`bench:lm: ${(e as Error).message}`);
  }
  const cell = values.cell!;
  if (!(LM_BENCH_CELLS as readonly string[]).includes(cell))
    throw new ValueError(`bench:lm: --cell must be one of ${LM_BENCH_CELLS.join(', ')}, got '${cell}'`);
  return {
    steps: integer('synthetic', values.synthetic!, 1),
    seqLen: integer('seq-len', values['seq-len']!, 1),
    // randint(1, vocab) draws the tokens: at least one word besides padding
    vocab: integer('vocab', values.vocab!, 2),
    threads: integer('threads', values.threads!, 0),
    cell: cell as LMBenchCell,
  };
}
